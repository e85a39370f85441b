using System.Collections;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PensionCert.Core.Definitions;
using PensionCert.Core.Telemetry;

namespace PensionCert.IntegrationTests;

/// <summary>
/// The local host with its real OpenTelemetry pipeline plus an in-memory exporter (the spans and metrics the host
/// exports to the dashboard or Application Insights), on Azurite with the real models.
/// </summary>
public sealed class TelemetryFixture : LocalHostFixture
{
    public LockedList<Activity> Spans { get; } = new();
    public LockedList<MetricSnapshot> Metrics { get; } = new();

    /// <summary>Counts the host's health checks (a probe beside the real storage and model probes).</summary>
    public CountingHealthProbe HealthChecks { get; } = new();

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Core.Storage.IHealthProbe>(HealthChecks);
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans));
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
    }

    /// <summary>Exports the metrics now and returns the latest snapshot of <paramref name="name"/> (cumulative).</summary>
    public MetricSnapshot LatestMetric(string name)
    {
        Assert.True(App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        return Metrics.Snapshot().LastOrDefault(m => m.Name == name) ?? throw new Xunit.Sdk.XunitException($"No metric {name} was exported.");
    }
}

/// <summary>A thread-safe collection for the exporters (spans end on many threads).</summary>
public sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count { get { lock (_items) return _items.Count; } }
    public bool IsReadOnly => false;
    public void Add(T item) { lock (_items) _items.Add(item); }
    public void Clear() { lock (_items) _items.Clear(); }
    public bool Contains(T item) { lock (_items) return _items.Contains(item); }
    public void CopyTo(T[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
    public bool Remove(T item) { lock (_items) return _items.Remove(item); }
    public T[] Snapshot() { lock (_items) return [.. _items]; }
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryFixture>
{
    public const string Name = "local host with telemetry capture";
}

/// <summary>Traces across the queue, problem+json trace ids, the metrics, and no personal data in any of them.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryFixture host)
{
    private const string PensionerName = "遥测测试员";

    [Fact]
    public async Task Submission_AndItsVerification_ShareTheCallersTrace()
    {
        var id = TestIdNumbers.New("440305");
        await host.EnrollOkAsync(id, Photos.GenuineReference, PensionerName);
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();

        var certificationId = await SubmitWithTraceAsync(id, traceId, callerSpan);
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal("Approved", decided.GetProperty("status").GetString());

        var trace = await WaitForSpansAsync(traceId, s => s.DisplayName == TelemetryNames.Spans.Decide);
        var server = Assert.Single(trace, s => s.Kind == ActivityKind.Server && s.ParentSpanId == callerSpan);
        Assert.Equal("POST", server.GetTagItem("http.request.method"));
        var submit = Assert.Single(trace, s => s.DisplayName == TelemetryNames.Spans.Submit);
        Assert.Equal(certificationId, submit.GetTagItem(TelemetryNames.SpanAttributes.CertificationId));
        Assert.Equal(server.SpanId, submit.ParentSpanId);
        // The queue message carried the submission span's traceparent: the verification is its child, in the same trace.
        var verify = Assert.Single(trace, s => s.DisplayName == TelemetryNames.Spans.Verify && s.Kind == ActivityKind.Consumer);
        Assert.Equal(submit.SpanId, verify.ParentSpanId);
        Assert.Equal(certificationId, verify.GetTagItem(TelemetryNames.SpanAttributes.CertificationId));
        Assert.Contains(trace, s => s.DisplayName == TelemetryNames.Spans.Analyze && s.ParentSpanId == verify.SpanId);
        var decide = Assert.Single(trace, s => s.DisplayName == TelemetryNames.Spans.Decide);
        Assert.Equal(verify.SpanId, decide.ParentSpanId);
        Assert.Equal("Approved", decide.GetTagItem(TelemetryNames.SpanAttributes.Status));
        // Azure SDK spans of both sides (the selfie upload and enqueue; the reads and writes of the worker) are in it too.
        Assert.Contains(trace, s => s.Source.Name.StartsWith("Azure.", StringComparison.Ordinal) && IsBelow(s, submit, trace));
        Assert.Contains(trace, s => s.Source.Name.StartsWith("Azure.", StringComparison.Ordinal) && IsBelow(s, decide, trace));
        // The decision's outbox pointer keeps the trace: the dispatcher publishes certification.approved in it.
        await host.App.Services.GetRequiredService<Core.Cycle.OutboxDispatcher>().DispatchAsync(CancellationToken.None);
        var published = await WaitForSpansAsync(traceId, s => s.DisplayName == TelemetryNames.Spans.Publish);
        var publish = Assert.Single(published, s => s.DisplayName == TelemetryNames.Spans.Publish && Equals(s.GetTagItem(TelemetryNames.SpanAttributes.EventType), "certification.approved"));
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.True(IsBelow(publish, decide, published), "the publish span continues the decision's span");
    }

    [Fact]
    public async Task ProblemTraceId_IsTheW3CTraceOfTheRequest()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader,
            LocalHostFixture.Multipart(("channel", "carrier-pigeon"), ("idNumber", TestIdNumbers.New())).WithPhoto(Photos.GenuineProbe));
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var withParent = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, withParent.StatusCode);
        var problem = JsonDocument.Parse(await withParent.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid-channel", problem.GetProperty("code").GetString());
        Assert.Equal(traceId.ToHexString(), problem.GetProperty("traceId").GetString());

        // Without a caller's trace: a new W3C trace id, the one of the request's server span.
        using var fresh = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, "/api/certifications/c-not-there", LocalHostFixture.ClientKeyHeader));
        Assert.Equal(HttpStatusCode.NotFound, fresh.StatusCode);
        var freshId = JsonDocument.Parse(await fresh.Content.ReadAsStringAsync()).RootElement.GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", freshId);
        var spans = await WaitForSpansAsync(ActivityTraceId.CreateFromString(freshId), s => s.Kind == ActivityKind.Server);
        Assert.Equal(404, Assert.Single(spans, s => s.Kind == ActivityKind.Server).GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task Metrics_SubmissionsDecisionsStagesAndQueueAge_WithTheirTags()
    {
        var id = TestIdNumbers.New("320506");
        await host.EnrollOkAsync(id, Photos.GenuineReference, PensionerName);
        var before = Sum(TelemetryNames.Decisions, ("region", "320500"), ("channel", "wechat"), ("status", "Rejected"), ("reason", "face-mismatch"));
        var accepted = Sum(TelemetryNames.Submissions, ("channel", "wechat"), ("outcome", "accepted"));
        var refused = Sum(TelemetryNames.Submissions, ("channel", "invalid"), ("outcome", "invalid-channel"));
        var callsBefore = StorageCalls();

        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.Impostor));
        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        using (var bad = await host.SubmitAsync(id, Photos.GenuineProbe, channel: "fax")) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // The client sees the decision once it is stored (in the cycle transaction); the worker counts it after the steps
        // that follow (the next due date, the in-flight entry), a moment later.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline
            && Sum(TelemetryNames.Decisions, ("region", "320500"), ("channel", "wechat"), ("status", "Rejected"), ("reason", "face-mismatch")) < before + 1;)
            await Task.Delay(100);
        Assert.Equal(before + 1, Sum(TelemetryNames.Decisions, ("region", "320500"), ("channel", "wechat"), ("status", "Rejected"), ("reason", "face-mismatch")));
        Assert.Equal("{decision}", host.LatestMetric(TelemetryNames.Decisions).Unit);
        Assert.True(Sum(TelemetryNames.Submissions, ("channel", "wechat"), ("outcome", "accepted")) >= accepted + 1);
        Assert.True(Sum(TelemetryNames.Submissions, ("channel", "invalid"), ("outcome", "invalid-channel")) >= refused + 1);

        var stages = host.LatestMetric(TelemetryNames.VerificationDuration);
        Assert.Equal("ms", stages.Unit);
        foreach (var stage in new[] { TelemetryNames.Stages.Load, TelemetryNames.Stages.Detect, TelemetryNames.Stages.Embed, TelemetryNames.Stages.Liveness, TelemetryNames.Stages.Analyze, TelemetryNames.Stages.Decide, TelemetryNames.Stages.Total })
        {
            var point = Assert.Single(Points(stages), p => Tags(p).GetValueOrDefault("stage") as string == stage);
            Assert.True(point.GetHistogramCount() >= 1 && point.GetHistogramSum() > 0, $"stage {stage}");
        }
        Assert.Equal("{request}", host.LatestMetric(TelemetryNames.StorageCalls).Unit);
        // Deltas over this test's own submission and verification: the histogram is cumulative over the fixture's
        // host, where other tests' duplicate or poisoned deliveries are decided in one or two calls.
        // The verification records its calls just after the decision is written, so the poll can see the decision first.
        var callsAfter = StorageCalls();
        for (var wait = 0; wait < 50 && callsAfter[TelemetryNames.Operations.Verification].Count == callsBefore[TelemetryNames.Operations.Verification].Count; wait++)
        {
            await Task.Delay(100);
            callsAfter = StorageCalls();
        }
        foreach (var operation in new[] { TelemetryNames.Operations.Verification, TelemetryNames.Operations.Submission })
        {
            var (count, sum) = (callsAfter[operation].Count - callsBefore[operation].Count, callsAfter[operation].Sum - callsBefore[operation].Sum);
            Assert.True(count >= 1 && sum >= 3, $"{operation}: {sum} calls in {count}");
        }
        var queueAge = host.LatestMetric(TelemetryNames.QueueAge);
        Assert.Equal("s", queueAge.Unit);
        Assert.True(Points(queueAge).Sum(p => p.GetHistogramCount()) >= 1);
    }

    [Fact]
    public async Task NoSpanOrMetricAttribute_CarriesAnIdNumberOrName()
    {
        var id = TestIdNumbers.New("440305");
        await host.EnrollOkAsync(id, Photos.GenuineReference, PensionerName);
        await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        using (var unknown = await host.SubmitAsync(TestIdNumbers.New("440305"), Photos.GenuineProbe)) Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await host.App.Services.GetRequiredService<Core.Cycle.OutboxDispatcher>().DispatchAsync(CancellationToken.None);
        Assert.True(host.App.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        host.LatestMetric(TelemetryNames.Decisions);

        var values = host.Spans.Snapshot().SelectMany(s => s.TagObjects.Select(t => $"span {s.DisplayName} {t.Key}={t.Value}")
                .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"event {e.Name} {t.Key}={t.Value}")))
                .Append($"span {s.DisplayName} status={s.StatusDescription}"))
            .Concat(host.Metrics.Snapshot().SelectMany(m => Points(m).SelectMany(p => Tags(p).Select(t => $"metric {m.Name} {t.Key}={t.Value}"))))
            .ToArray();

        Assert.True(values.Length > 100, $"only {values.Length} attributes captured");
        Assert.Contains(values, v => v.Contains(TelemetryNames.SpanAttributes.CertificationId, StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains(id, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(values, v => v.Contains(PensionerName, StringComparison.Ordinal));
        // No valid ID number of any pensioner (18 characters, valid check character) in any attribute.
        var idLike = new Regex("(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])");
        Assert.DoesNotContain(values, v => idLike.Matches(v).Any(m => Core.Identity.CitizenIdNumber.WithCheckCharacter(m.Value[..17]) == m.Value.ToUpperInvariant()));
    }

    private async Task<string> SubmitWithTraceAsync(string idNumber, ActivityTraceId traceId, ActivitySpanId parent)
    {
        using var request = LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader,
            LocalHostFixture.Multipart(("channel", "wechat"), ("idNumber", idNumber)).WithPhoto(Photos.GenuineProbe));
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{parent.ToHexString()}-01");
        using var response = await host.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!;
    }

    /// <summary>The spans of <paramref name="traceId"/> once one matches <paramref name="until"/> (spans are exported when they end).</summary>
    private async Task<Activity[]> WaitForSpansAsync(ActivityTraceId traceId, Func<Activity, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var spans = host.Spans.Snapshot().Where(s => s.TraceId == traceId).ToArray();
            if (spans.Any(until)) return spans;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Trace {traceId} has {spans.Length} spans: {string.Join(", ", spans.Select(s => s.DisplayName))}");
            await Task.Delay(100);
        }
    }

    /// <summary>True when <paramref name="span"/> descends from <paramref name="ancestor"/> within <paramref name="trace"/>.</summary>
    private static bool IsBelow(Activity span, Activity ancestor, IReadOnlyCollection<Activity> trace)
    {
        var byId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        for (var parent = span.ParentSpanId; parent != default; parent = byId.TryGetValue(parent, out var p) ? p.ParentSpanId : default)
            if (parent == ancestor.SpanId) return true;
        return false;
    }

    private long Sum(string metric, params (string Key, string Value)[] tags)
    {
        Assert.True(host.App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        var latest = host.Metrics.Snapshot().LastOrDefault(m => m.Name == metric);
        return latest is null ? 0 : Points(latest).Where(p => tags.All(t => Tags(p).GetValueOrDefault(t.Key) as string == t.Value)).Sum(p => p.GetSumLong());
    }

    private static IEnumerable<MetricPoint> Points(MetricSnapshot metric) => metric.MetricPoints;

    /// <summary>The storage-call histogram's count and sum per operation so far (zero before the first export).</summary>
    private Dictionary<string, (long Count, double Sum)> StorageCalls()
    {
        Assert.True(host.App.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        var latest = host.Metrics.Snapshot().LastOrDefault(m => m.Name == TelemetryNames.StorageCalls);
        var calls = new[] { TelemetryNames.Operations.Verification, TelemetryNames.Operations.Submission }.ToDictionary(o => o, _ => (0L, 0d));
        foreach (var point in latest is null ? [] : Points(latest))
            if (Tags(point).GetValueOrDefault("operation") is string operation && calls.ContainsKey(operation))
                calls[operation] = (point.GetHistogramCount(), point.GetHistogramSum());
        return calls;
    }

    private static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags) tags[tag.Key] = tag.Value;
        return tags;
    }
}
