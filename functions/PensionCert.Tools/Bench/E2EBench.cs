using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;
using PensionCert.Infrastructure;
using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Benchmarks 3 and 6: N submissions of a 640x480 selfie over HTTP to the in-process local host, processed by its queue
/// trigger against Azurite. Prints submissions per minute, end-to-end latency (record DecidedAt − SubmittedAt), the queue
/// settings in force, process CPU use, and the working set / GC heap every 100 decided verifications.
/// </summary>
internal static class E2EBench
{
    public static async Task<int> RunAsync(DirectoryInfo faces, string storage, int port, int count, int clients, int? batchSize, int? newBatchThreshold,
        string probePath, string referencePath, TextWriter output, CancellationToken cancellationToken)
    {
        BenchReport.Header(output, "e2e (benchmarks 3 and 6: HTTP → blob + queue → queue trigger → decision, memory)");
        await using var host = await BenchHost.StartAsync(storage, port, builder =>
        {
            if (batchSize is { } b) builder.Services.PostConfigure<QueuesOptions>(o => o.BatchSize = b);
            if (newBatchThreshold is { } t) builder.Services.PostConfigure<QueuesOptions>(o => o.NewBatchThreshold = t);
        });
        var queues = host.App.Services.GetRequiredService<IOptions<QueuesOptions>>().Value;
        var concurrency = queues.BatchSize + queues.NewBatchThreshold;
        output.WriteLine($"queue trigger: batchSize {queues.BatchSize}, newBatchThreshold {queues.NewBatchThreshold} (at most {concurrency} messages in flight per instance), " +
            $"visibilityTimeout {queues.VisibilityTimeout}, maxPollingInterval {queues.MaxPollingInterval}, maxDequeueCount {queues.MaxDequeueCount}, encoding {queues.MessageEncoding}");
        var modelOptions = host.App.Services.GetRequiredService<IOptions<FaceModelOptions>>().Value;
        output.WriteLine($"ONNX Runtime intra-op threads per session {modelOptions.IntraOpThreads}, concurrent analyses at most {modelOptions.EffectiveMaxConcurrentAnalyses}: " +
            $"threads × analyses = {modelOptions.IntraOpThreads * modelOptions.EffectiveMaxConcurrentAnalyses} on {Environment.ProcessorCount} cores");

        using var photo = SKBitmap.Decode(Path.Combine(faces.FullName, probePath));
        var selfie = BenchImages.Vga(photo);
        var reference = File.ReadAllBytes(Path.Combine(faces.FullName, referencePath));

        // The single-thread pipeline time of this selfie, measured here on the same process, is the throughput yardstick.
        var analyzer = host.App.Services.GetRequiredService<FaceAnalyzer>();
        var pipelineMs = BenchReport.PipelineMedianMs(analyzer, selfie, cancellationToken);
        var ideal = Environment.ProcessorCount * 60_000 / pipelineMs;
        output.WriteLine($"selfie {selfie.Length / 1024d:F0} KiB (640x480); single-thread pipeline median {pipelineMs:F1} ms → ideal {ideal:F0}/min on {Environment.ProcessorCount} cores, goal ≥ {0.8 * ideal:F0}/min");

        var pensioners = new List<string>();
        for (var i = 0; i < 8; i++) pensioners.Add(await BenchHost.EnrollAsync(host.Http, reference, cancellationToken));
        output.WriteLine($"enrolled {pensioners.Count} pensioners; submitting {count} selfies from {clients} concurrent clients");

        var table = host.App.Services.GetRequiredService<StorageClients>();
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var cpuSample = BenchReport.CpuSample.Take();
        var wallStart = Stopwatch.GetTimestamp();
        var submitted = 0;
        var submitters = Enumerable.Range(0, clients).Select(async c =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref submitted);
                if (n > count) return;
                ids.Add(await BenchHost.SubmitAsync(host.Http, pensioners[n % pensioners.Count], selfie, cancellationToken));
            }
        }).ToArray();

        var samples = new List<string>();
        long peakWorkingSet = 0;
        var nextSample = 0;
        List<(string Status, DateTimeOffset Submitted, DateTimeOffset? Decided)> rows = [];
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * (60 + count);
        while (true)
        {
            await Task.Delay(1000, cancellationToken);
            process.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
            rows = await ReadAsync(table, ids.ToHashSet(), cancellationToken);
            var decided = rows.Count(r => r.Decided is not null);
            while (decided >= nextSample && nextSample <= count)
            {
                samples.Add($"{decided,6} {process.WorkingSet64 / 1048576d,10:F0} {GC.GetTotalMemory(false) / 1048576d,12:F1} {GC.CollectionCount(0),6} {GC.CollectionCount(2),6}");
                nextSample += 100;
            }

            if (decided >= count) break;
            if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException($"Only {decided} of {count} decided.");
        }

        await Task.WhenAll(submitters);
        var wall = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        var first = rows.Min(r => r.Submitted);
        var last = rows.Max(r => r.Decided!.Value);
        var span = (last - first).TotalMinutes;
        var throughput = count / span;
        var latencies = rows.Select(r => (r.Decided!.Value - r.Submitted).TotalMilliseconds).ToList();
        output.WriteLine();
        output.WriteLine($"decided {count} in {(last - first).TotalSeconds:F1} s (first SubmittedAt → last DecidedAt): {throughput:F0} submissions/min " +
            $"= {throughput / ideal:P0} of ideal (goal ≥ 80 %: {(throughput >= 0.8 * ideal ? "met" : "NOT met")})");
        output.WriteLine($"end-to-end latency (DecidedAt − SubmittedAt) median {BenchReport.Median(latencies):F0} ms, p95 {BenchReport.P95(latencies):F0} ms");
        output.WriteLine($"outcomes: {string.Join(", ", rows.GroupBy(r => r.Status).Select(g => $"{g.Key} {g.Count()}"))}");
        output.WriteLine($"this process (host + client) CPU {cpu:F1} s over {wall:F1} s wall = {cpu / wall / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores (Azurite runs in its own process)");
        // The pipeline's share of this process's CPU: 1.0 would mean every CPU-second went into face analysis.
        output.WriteLine($"face pipeline share of this process's CPU: {count * pipelineMs / 1000 / cpu:P0} ({count} × {pipelineMs:F1} ms of {cpu:F1} s; the rest is HTTP ingest, " +
            "storage SDK calls, queue polling and the benchmark client)");
        output.WriteLine(BenchReport.CpuSample.Take().Since(cpuSample));
        output.WriteLine($"peak working set {Math.Max(peakWorkingSet, process.PeakWorkingSet64) / 1048576d:F0} MB (goal < 600 MB)");
        output.WriteLine("memory every 100 decided verifications (after warm-up the series should be flat):");
        output.WriteLine($"{"decided",6} {"WS MB",10} {"GC heap MB",12} {"gen0",6} {"gen2",6}");
        foreach (var line in samples) output.WriteLine(line);
        output.WriteLine($"load average at end: {BenchReport.LoadAverage()}");
        return 0;
    }

    private static async Task<List<(string, DateTimeOffset, DateTimeOffset?)>> ReadAsync(StorageClients table, HashSet<string> ids, CancellationToken cancellationToken)
    {
        var rows = new List<(string, DateTimeOffset, DateTimeOffset?)>();
        await foreach (var (id, e) in BenchRecords.QueryAsync(table, ["Status", "SubmittedAt", "DecidedAt"], cancellationToken))
        {
            if (!ids.Contains(id)) continue;
            rows.Add((e.GetString("Status"), e.GetDateTimeOffset("SubmittedAt")!.Value, e.GetDateTimeOffset("DecidedAt")));
        }

        return rows;
    }
}
