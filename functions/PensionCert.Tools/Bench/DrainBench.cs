using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Definitions;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;
using PensionCert.Infrastructure;
using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Benchmark 3b, the worker alone: N submissions are queued over HTTP by a host whose queue trigger is disabled, then a
/// fresh host with the trigger on drains the queue. Prints verifications per minute, and the CPU this process (the
/// worker) and Azurite each spent per verification, so the figure can be projected to Azure, where storage does not
/// share the worker's cores: per-instance throughput ≈ cores / worker CPU per verification.
/// </summary>
internal static class DrainBench
{
    public static async Task<int> RunAsync(DirectoryInfo faces, string storage, int port, int count, string probePath, string referencePath,
        TextWriter output, CancellationToken cancellationToken)
    {
        BenchReport.Header(output, "drain (benchmark 3b: the queue trigger alone drains N pre-queued verifications)");
        using var storageCalls = new StorageCallMeter();
        using var photo = SKBitmap.Decode(Path.Combine(faces.FullName, probePath));
        var selfie = BenchImages.Vga(photo);
        var reference = File.ReadAllBytes(Path.Combine(faces.FullName, referencePath));

        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using (var ingest = await BenchHost.StartAsync(storage, port, builder =>
            builder.Configuration[$"AzureWebJobs.{FunctionNames.VerifyCertification}.Disabled"] = "true"))
        {
            // One certification per pensioner, as in a season (each pensioner certifies once a year): the same selfie
            // submitted again for one pensioner would match the live reference its first approval kept and be a replay
            // (review, then the day's limit), which measures the attack path rather than the ordinary one.
            var next = 0;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                for (var n = Interlocked.Increment(ref next); n <= count; n = Interlocked.Increment(ref next))
                {
                    var pensioner = await BenchHost.EnrollAsync(ingest.Http, reference, cancellationToken);
                    ids.Add(await BenchHost.SubmitAsync(ingest.Http, pensioner, selfie, cancellationToken));
                }
            }));
        }
        output.WriteLine($"queued {ids.Count} verifications (one per pensioner) of a {selfie.Length / 1024d:F0} KiB 640x480 selfie with the trigger off; starting the worker");

        await using var worker = await BenchHost.StartAsync(storage, port);
        var analyzer = worker.App.Services.GetRequiredService<FaceAnalyzer>();
        var table = worker.App.Services.GetRequiredService<StorageClients>();
        var cpu = BenchReport.CpuSample.Take();
        var wall = Stopwatch.GetTimestamp();
        var wanted = ids.ToHashSet();
        List<(DateTimeOffset? Started, DateTimeOffset? Decided)> rows;
        while (true)
        {
            await Task.Delay(500, cancellationToken);
            rows = await ReadAsync(table, wanted, cancellationToken);
            if (rows.Count(r => r.Decided is not null) >= count) break;
            if (Stopwatch.GetElapsedTime(wall) > TimeSpan.FromSeconds(60 + count)) throw new TimeoutException("The queue did not drain.");
        }
        var used = BenchReport.CpuSample.Take();
        var first = rows.Min(r => r.Started ?? r.Decided!.Value);
        var last = rows.Max(r => r.Decided!.Value);
        var perMinute = count / (last - first).TotalMinutes;
        // The yardstick: the single-thread pipeline on the now idle worker.
        var pipelineMs = BenchReport.PipelineMedianMs(analyzer, selfie, cancellationToken);
        var ideal = Environment.ProcessorCount * 60_000 / pipelineMs;
        var workerMs = (used.ProcessSeconds - cpu.ProcessSeconds) * 1000 / count;
        var azuriteMs = (used.AzuriteSeconds - cpu.AzuriteSeconds) * 1000 / count;
        output.WriteLine($"drained {count} in {(last - first).TotalSeconds:F1} s (first processing start → last decision): {perMinute:F0} verifications/min " +
            $"= {perMinute / ideal:P0} of ideal {ideal:F0}/min (single-thread pipeline {pipelineMs:F1} ms on an idle worker)");
        output.WriteLine(used.Since(cpu));
        output.WriteLine($"CPU per verification: worker {workerMs:F1} ms (pipeline {pipelineMs:F1} ms = {pipelineMs / workerMs:P0} of it), Azurite {azuriteMs:F1} ms");
        output.WriteLine($"projected with storage off the worker's cores (Azure): {Environment.ProcessorCount} cores / {workerMs:F1} ms = " +
            $"{Environment.ProcessorCount * 60_000 / workerMs:F0}/min = {pipelineMs / workerMs:P0} of ideal");
        output.WriteLine(storageCalls.Line());
        output.WriteLine($"load average at end: {BenchReport.LoadAverage()}");
        return 0;
    }

    private static async Task<List<(DateTimeOffset?, DateTimeOffset?)>> ReadAsync(StorageClients table, HashSet<string> ids, CancellationToken cancellationToken)
    {
        var rows = new List<(DateTimeOffset?, DateTimeOffset?)>();
        await foreach (var (id, e) in BenchRecords.QueryAsync(table, ["ProcessingStartedAt", "DecidedAt"], cancellationToken))
            if (ids.Contains(id)) rows.Add((e.GetDateTimeOffset("ProcessingStartedAt"), e.GetDateTimeOffset("DecidedAt")));
        return rows;
    }
}
