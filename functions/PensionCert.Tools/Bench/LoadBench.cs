using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure;
using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Peak load (issue 15): <c>clients</c> concurrent clients submit selfies to the local host on loopback for a fixed
/// time, each for a pensioner drawn from a seeded random sequence, honouring <c>Retry-After</c> (up to 2 s). The
/// host runs with the product's per-pensioner submission limit (one client key carries the load, as a channel app
/// does). Every response must be 202, or 429/503 with <c>Retry-After</c>. Then the queue drains (bounded) and the
/// submit-to-decision latency of the accepted submissions (the record's server-side <c>SubmittedAt</c> →
/// <c>DecidedAt</c>) is printed as p50 / p95 / p99 with the decisions per minute. Stops by itself.
/// </summary>
internal static class LoadBench
{
    public static async Task<int> RunAsync(DirectoryInfo faces, string storage, int port, int clients, double seconds, int pensionerCount, int seed,
        string probePath, string referencePath, TextWriter output, CancellationToken cancellationToken)
    {
        BenchReport.Header(output, $"load (peak: {clients} concurrent clients for {seconds:F0} s, seed {seed}, loopback)");
        using var storageCalls = new StorageCallMeter();
        using var photo = SKBitmap.Decode(Path.Combine(faces.FullName, probePath));
        var selfie = BenchImages.Vga(photo);
        var reference = File.ReadAllBytes(Path.Combine(faces.FullName, referencePath));
        await using var host = await BenchHost.StartAsync(storage, port, builder =>
            builder.Configuration["PensionCert:Certification:SubmissionsPerPensionerPerMinute"] =
                new Core.Certification.CertificationOptions().SubmissionsPerPensionerPerMinute.ToString(CultureInfo.InvariantCulture));

        var pensioners = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, pensionerCount), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (_, ct) => pensioners.Add(await BenchHost.EnrollAsync(host.Http, reference, ct)));
        var ids = pensioners.OrderBy(p => p, StringComparer.Ordinal).ToArray();
        output.WriteLine($"enrolled {ids.Length} pensioners; selfie {selfie.Length / 1024d:F0} KiB 640x480; per-pensioner limit {new Core.Certification.CertificationOptions().SubmissionsPerPensionerPerMinute}/min");

        var statuses = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var accepted = new ConcurrentBag<string>();
        var violations = new ConcurrentBag<string>();
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(seconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var random = new Random(seed * 1000 + client);
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                HttpStatusCode status;
                TimeSpan? retryAfter;
                string? certificationId;
                try
                {
                    (status, retryAfter, certificationId) = await SubmitAsync(host.Http, ids[random.Next(ids.Length)], selfie, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // No answer at all (a timeout, a refused connection) is a violation too.
                    var error = "no response (" + ex.GetType().Name + ")";
                    statuses.AddOrUpdate(error, 1, (_, n) => n + 1);
                    violations.Add(error);
                    continue;
                }
                var key = status == HttpStatusCode.Accepted ? "202" : $"{(int)status}{(retryAfter is null ? " without Retry-After" : " with Retry-After")}";
                statuses.AddOrUpdate(key, 1, (_, n) => n + 1);
                if (status == HttpStatusCode.Accepted && certificationId is not null) accepted.Add(certificationId);
                else if (status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) || retryAfter is null) violations.Add(key);
                if (retryAfter is { } wait) await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds, 2000)), cancellationToken);
            }
        }));
        var loadSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        output.WriteLine($"responses in {loadSeconds:F0} s: {string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"))}");
        output.WriteLine(violations.IsEmpty
            ? "every response was 202, or 429/503 with Retry-After: met"
            : $"NOT met: {violations.Count} responses outside 202 / 429 / 503 with Retry-After ({string.Join(", ", violations.Distinct())})");

        // Drain: bounded wait for the accepted ones to be decided.
        var table = host.App.Services.GetRequiredService<StorageClients>();
        var wanted = accepted.ToHashSet(StringComparer.Ordinal);
        var drainDeadline = Stopwatch.GetTimestamp() + (long)(Math.Max(120, seconds) * Stopwatch.Frequency);
        List<(DateTimeOffset Submitted, DateTimeOffset? Decided)> rows;
        while (true)
        {
            rows = await ReadAsync(table, wanted, cancellationToken);
            if (rows.Count(r => r.Decided is not null) >= wanted.Count || Stopwatch.GetTimestamp() > drainDeadline) break;
            await Task.Delay(1000, cancellationToken);
        }
        var decided = rows.Where(r => r.Decided is not null).ToList();
        var latencies = decided.Select(r => (r.Decided!.Value - r.Submitted).TotalMilliseconds).ToList();
        output.WriteLine($"accepted {wanted.Count}, decided {decided.Count}{(decided.Count < wanted.Count ? $" ({wanted.Count - decided.Count} still undecided when the bounded drain ended)" : "")}");
        if (decided.Count > 0)
        {
            var span = decided.Max(r => r.Decided!.Value) - rows.Min(r => r.Submitted);
            output.WriteLine($"submit-to-decision latency p50 {BenchReport.Quantile(latencies, 0.5) / 1000:F1} s, p95 {BenchReport.Quantile(latencies, 0.95) / 1000:F1} s, p99 {BenchReport.Quantile(latencies, 0.99) / 1000:F1} s");
            output.WriteLine($"decisions per minute {decided.Count / span.TotalMinutes:F0} (first submission → last decision, {span.TotalSeconds:F0} s)");
        }
        output.WriteLine(storageCalls.Line());
        output.WriteLine($"load average at end: {BenchReport.LoadAverage()}");
        return violations.IsEmpty ? 0 : 1;
    }

    private static async Task<(HttpStatusCode Status, TimeSpan? RetryAfter, string? CertificationId)> SubmitAsync(HttpClient http, string idNumber, byte[] selfie, CancellationToken cancellationToken)
    {
        using var content = new MultipartFormDataContent { { new StringContent("wechat"), "channel" }, { new StringContent(idNumber), "idNumber" } };
        var image = new ByteArrayContent(selfie);
        image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(image, "photo", "selfie.jpg");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/certifications") { Content = content };
        request.Headers.Add("x-functions-key", BenchHost.ClientKey);
        using var response = await http.SendAsync(request, cancellationToken);
        var retryAfter = response.Headers.RetryAfter is { } r ? r.Delta ?? (r.Date - DateTimeOffset.UtcNow) : null;
        string? id = null;
        if (response.StatusCode == HttpStatusCode.Accepted)
            id = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("certificationId").GetString();
        return (response.StatusCode, retryAfter, id);
    }

    private static async Task<List<(DateTimeOffset, DateTimeOffset?)>> ReadAsync(StorageClients table, HashSet<string> ids, CancellationToken cancellationToken)
    {
        var rows = new List<(DateTimeOffset, DateTimeOffset?)>();
        await foreach (var (id, e) in BenchRecords.QueryAsync(table, ["SubmittedAt", "DecidedAt"], cancellationToken))
            if (ids.Contains(id) && e.GetDateTimeOffset("SubmittedAt") is { } submitted) rows.Add((submitted, e.GetDateTimeOffset("DecidedAt")));
        return rows;
    }
}
