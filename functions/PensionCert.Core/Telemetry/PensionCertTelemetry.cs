using System.Diagnostics;
using System.Diagnostics.Metrics;
using PensionCert.Core.Definitions;
using static PensionCert.Core.Definitions.TelemetryNames;

namespace PensionCert.Core.Telemetry;

/// <summary>
/// The application's ActivitySource and Meter (<see cref="TelemetryNames.Source"/>) and its instruments. Static, as
/// .NET recommends for both: hosts subscribe by name (OpenTelemetry <c>AddSource</c> / <c>AddMeter</c>), and without a
/// subscriber every call here is a no-op. Nothing recorded here carries personal data: spans name opaque ids only,
/// metrics carry channel, prefecture-level region, status, reason, stage and dates.
/// </summary>
public static class PensionCertTelemetry
{
    /// <summary>The application's spans.</summary>
    public static readonly ActivitySource ActivitySource = new(Source);

    private static readonly Meter Meter = new(Source);

    private static readonly Counter<long> SubmissionCounter =
        Meter.CreateCounter<long>(Submissions, "{submission}", "Certification submissions by channel and outcome.");
    private static readonly Counter<long> DecisionCounter =
        Meter.CreateCounter<long>(Decisions, "{decision}", "Worker decisions by region, channel, status and reason.");
    private static readonly Histogram<double> VerificationHistogram =
        Meter.CreateHistogram<double>(VerificationDuration, "ms", "Verification time by stage.");
    private static readonly Histogram<double> QueueAgeHistogram =
        Meter.CreateHistogram<double>(QueueAge, "s", "Age of a verification message at dequeue.");
    private static readonly Gauge<long> ReviewBacklogGauge =
        Meter.CreateGauge<long>(ReviewBacklog, "{case}", "Open review cases at the last review sweep.");
    private static readonly Gauge<double> ReviewOldestGauge =
        Meter.CreateGauge<double>(ReviewBacklogOldestAge, "s", "Age of the oldest open review case at the last review sweep.");
    private static readonly Counter<long> CycleProcessedCounter =
        Meter.CreateCounter<long>(CycleScanProcessed, "{pensioner}", "Pensioners the cycle scan processed, by due date.");
    private static readonly Counter<long> CycleFailedCounter =
        Meter.CreateCounter<long>(CycleScanFailed, "{pensioner}", "Pensioners the cycle scan failed on, by due date.");
    private static readonly Gauge<double> OutboxLagGauge =
        Meter.CreateGauge<double>(OutboxLag, "s", "Age of the oldest pending outbox event at the dispatcher's last run.");

    private static readonly Histogram<long> StorageCallHistogram =
        Meter.CreateHistogram<long>(StorageCalls, "{request}", "Storage round trips of one verification or accepted submission.");

    /// <summary>The storage round trips a <see cref="StorageCallScope"/> counted for one <paramref name="operation"/> (<see cref="Operations"/>).</summary>
    public static void RecordStorageCalls(string operation, long calls) =>
        StorageCallHistogram.Record(calls, new KeyValuePair<string, object?>(Attributes.Operation, operation));

    /// <summary>Tags <paramref name="activity"/> with the round trips <paramref name="scope"/> counted (and described, when it did).</summary>
    public static void TagStorageCalls(Activity? activity, StorageCallScope scope)
    {
        if (activity is null) return;
        activity.SetTag(SpanAttributes.StorageCalls, scope.Calls);
        if (scope.Requests is { Count: > 0 } requests) activity.SetTag(SpanAttributes.StorageRequests, requests.ToArray());
    }

    /// <summary>The current span's W3C <c>traceparent</c>, or null outside a (W3C) span.</summary>
    public static string? CurrentTraceParent => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The current W3C trace id (32 hex digits), or null outside a span.</summary>
    public static string? CurrentTraceId => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.TraceId.ToHexString() : null;

    /// <summary>
    /// Starts a span continuing the trace of <paramref name="traceParent"/> (carried in a message or an outbox row),
    /// linked to the span current here (the trigger's invocation), or a child of the current span when there is none.
    /// </summary>
    public static Activity? StartContinued(string name, ActivityKind kind, string? traceParent)
    {
        if (!ActivitySource.HasListeners()) return null;
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent))
            return ActivitySource.StartActivity(name, kind);
        var links = Activity.Current is { } current ? new[] { new ActivityLink(current.Context) } : null;
        return ActivitySource.StartActivity(name, kind, parent, tags: null, links: links);
    }

    /// <summary>Marks <paramref name="activity"/> failed with the exception's type only (messages may hold data).</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>One submission: <paramref name="outcome"/> is accepted, replayed or the refusing problem's code.</summary>
    public static void RecordSubmission(string channel, string outcome) =>
        SubmissionCounter.Add(1, new(Attributes.Channel, channel), new(Attributes.Outcome, outcome));

    /// <summary>One decision written by the worker.</summary>
    public static void RecordDecision(string? regionCode, string channel, string status, string? reason)
    {
        var tags = new TagList
        {
            { Attributes.Region, Prefecture(regionCode) },
            { Attributes.Channel, channel },
            { Attributes.Status, status },
            { Attributes.Reason, reason ?? "none" },
        };
        DecisionCounter.Add(1, tags);
    }

    /// <summary>Time spent in one verification <paramref name="stage"/> (<see cref="Stages"/>).</summary>
    public static void RecordStage(string stage, double milliseconds) =>
        VerificationHistogram.Record(milliseconds, new KeyValuePair<string, object?>(Attributes.Stage, stage));

    /// <summary>Elapsed milliseconds since a <see cref="Stopwatch.GetTimestamp"/> value, recorded as <paramref name="stage"/>.</summary>
    public static void RecordStageSince(string stage, long startTimestamp) =>
        RecordStage(stage, Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    /// <summary>The age of a verification message at dequeue.</summary>
    public static void RecordQueueAge(TimeSpan age) => QueueAgeHistogram.Record(Math.Max(0, age.TotalSeconds));

    /// <summary>The review backlog as the sweep found it.</summary>
    public static void RecordReviewBacklog(long openCases, TimeSpan oldestAge)
    {
        ReviewBacklogGauge.Record(openCases);
        ReviewOldestGauge.Record(Math.Max(0, oldestAge.TotalSeconds));
    }

    /// <summary>Pensioners the cycle scan processed and failed on for one due date.</summary>
    public static void RecordCycleScan(DateOnly date, long processed, long failed)
    {
        var tag = new KeyValuePair<string, object?>(Attributes.Date, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        if (processed > 0) CycleProcessedCounter.Add(processed, tag);
        if (failed > 0) CycleFailedCounter.Add(failed, tag);
    }

    /// <summary>The age of the oldest pending outbox event (zero when none waits).</summary>
    public static void RecordOutboxLag(TimeSpan lag) => OutboxLagGauge.Record(Math.Max(0, lag.TotalSeconds));

    /// <summary>
    /// The prefecture-level code of a six-digit region (first four digits + <c>00</c>): bounded cardinality (a
    /// province has a few dozen prefectures), enough for the bureaus; <c>unknown</c> when absent.
    /// </summary>
    public static string Prefecture(string? regionCode) =>
        regionCode is { Length: 6 } r && r.All(char.IsAsciiDigit) ? string.Concat(r.AsSpan(0, 4), "00") : "unknown";
}
