using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure;
using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Benchmark 4: HTTP ingest alone (POST /api/certifications of a ~300 KB selfie) at 16 and 64 concurrent clients, with the
/// queue trigger disabled (<c>AzureWebJobs.VerifyCertification.Disabled=true</c>, the WebJobs/Functions setting) so no
/// processing competes; beside the raw SDK cost of one blob upload plus one queue send at the same concurrency.
/// </summary>
internal static class IngestBench
{
    public static async Task<int> RunAsync(DirectoryInfo faces, string storage, int port, int[] concurrencies, double seconds, string probePath, string referencePath,
        TextWriter output, CancellationToken cancellationToken)
    {
        BenchReport.Header(output, "ingest (benchmark 4: HTTP submission alone vs raw blob upload + queue send)");
        using var storageCalls = new StorageCallMeter();
        await using var host = await BenchHost.StartAsync(storage, port, builder =>
            builder.Configuration[$"AzureWebJobs.{FunctionNames.VerifyCertification}.Disabled"] = "true");
        using var photo = SKBitmap.Decode(Path.Combine(faces.FullName, probePath));
        var selfie = BenchImages.OfSize(photo, 300 * 1024);
        var idNumber = await BenchHost.EnrollAsync(host.Http, File.ReadAllBytes(Path.Combine(faces.FullName, referencePath)), cancellationToken);
        output.WriteLine($"selfie {selfie.Length / 1024d:F0} KiB JPEG; queue trigger disabled; {seconds:F0} s per run after 2 s warm-up");

        // Raw SDK path: same account, same client options as the app (Base64 queue messages), own container and queue.
        var clients = host.App.Services.GetRequiredService<StorageClients>();
        var serviceBlob = new BlobServiceClient(storage);
        var rawContainer = serviceBlob.GetBlobContainerClient("bench-raw");
        await rawContainer.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var rawQueue = new QueueClient(storage, "bench-raw", new QueueClientOptions { MessageEncoding = StorageClients.QueueMessageEncodingSetting });
        await rawQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var message = new string('x', 320);
        // Like-for-like: the storage calls one submission makes (identity read, profile partition query, blob upload,
        // index row upsert with queue send, record insert), made straight through the SDK with the same overlap.
        var rawTable = new Azure.Data.Tables.TableClient(storage, "benchraw");
        await rawTable.CreateIfNotExistsAsync(cancellationToken);
        await rawTable.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("identity", "") { ["PensionerId"] = "p1" }, cancellationToken: cancellationToken);
        await rawTable.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("p1", "profile") { ["Embedding"] = new byte[2048], ["Name"] = new string('x', 60) }, cancellationToken: cancellationToken);
        var queuedBefore = (await clients.VerificationQueue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

        var summary = new List<string>();
        var httpTotal = 0;
        foreach (var c in concurrencies)
        {
            var httpCpu = BenchReport.CpuSample.Take();
            var (httpRate, httpLatency, httpDone) = await LoadAsync(c, seconds, () => BenchHost.SubmitAsync(host.Http, idNumber, selfie, cancellationToken));
            var httpCpuLine = BenchReport.CpuSample.Take().Since(httpCpu);
            httpTotal += httpDone;
            var rawCpu = BenchReport.CpuSample.Take();
            var (rawRate, rawLatency, _) = await LoadAsync(c, seconds, async () =>
            {
                var name = Guid.NewGuid().ToString("N");
                await rawContainer.GetBlobClient(name).UploadAsync(new BinaryData(selfie), cancellationToken);
                await rawQueue.SendMessageAsync(message, cancellationToken);
                return name;
            });
            var rawCpuLine = BenchReport.CpuSample.Take().Since(rawCpu);
            var sameCpu = BenchReport.CpuSample.Take();
            var (sameRate, sameLatency, _) = await LoadAsync(c, seconds, async () =>
            {
                var name = Guid.NewGuid().ToString("N");
                var lookup = Task.Run(async () =>
                {
                    await rawTable.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("identity", "", cancellationToken: cancellationToken);
                    await foreach (var _ in rawTable.QueryAsync<Azure.Data.Tables.TableEntity>(
                        Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {"p1"} and (RowKey eq {"profile"} or (RowKey ge {"failed-"} and RowKey lt {"failed-~"}))"),
                        cancellationToken: cancellationToken)) { }
                }, cancellationToken);
                await Task.WhenAll(lookup, rawContainer.GetBlobClient(name).UploadAsync(new BinaryData(selfie), cancellationToken));
                await Task.WhenAll(
                    rawTable.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("p1", "certification-" + name), cancellationToken: cancellationToken),
                    rawQueue.SendMessageAsync(message, cancellationToken));
                await rawTable.AddEntityAsync(new Azure.Data.Tables.TableEntity(name, "record") { ["PensionerId"] = "p1", ["Status"] = "Pending", ["Channel"] = "wechat" }, cancellationToken);
                return name;
            });
            var sameCpuLine = BenchReport.CpuSample.Take().Since(sameCpu);
            var ratio = httpRate / rawRate;
            output.WriteLine($"-- {c} concurrent clients (load average {BenchReport.LoadAverage()})");
            output.WriteLine($"   HTTP submit:          {httpRate,7:F1} req/s, latency median {BenchReport.Median(httpLatency),6:F1} ms, p95 {BenchReport.P95(httpLatency),6:F1} ms");
            output.WriteLine($"   raw blob + queue SDK: {rawRate,7:F1} op/s,  latency median {BenchReport.Median(rawLatency),6:F1} ms, p95 {BenchReport.P95(rawLatency),6:F1} ms");
            output.WriteLine($"   CPU during HTTP run: {httpCpuLine}");
            output.WriteLine($"   raw, the same 6 storage calls as a submission: {sameRate,7:F1} op/s, latency median {BenchReport.Median(sameLatency),6:F1} ms, p95 {BenchReport.P95(sameLatency),6:F1} ms");
            output.WriteLine($"   CPU during raw run:  {rawCpuLine}");
            output.WriteLine($"   CPU during same-calls run: {sameCpuLine}");
            output.WriteLine($"   ratio HTTP / same storage calls: {httpRate / sameRate:F2} (what the HTTP layer itself costs: parsing, validation, auth, hashing)");
            output.WriteLine($"   ratio HTTP / raw: {ratio:F2} (goal ≥ 0.8: {(ratio >= 0.8 ? "met" : "NOT met")})");
            summary.Add($"{c} clients {ratio:F2}");
        }

        var queuedAfter = (await clients.VerificationQueue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        output.WriteLine($"verification queue grew by {queuedAfter - queuedBefore} messages (≥ the {httpTotal} measured submissions: nothing was processed)");
        output.WriteLine(storageCalls.Line());
        output.WriteLine($"summary: {string.Join("; ", summary)}");
        output.WriteLine($"load average at end: {BenchReport.LoadAverage()}");
        return 0;
    }

    /// <summary>Runs <paramref name="operation"/> from <paramref name="concurrency"/> loops: 2 s warm-up, then <paramref name="seconds"/> measured.</summary>
    private static async Task<(double Rate, List<double> Latency, int Done)> LoadAsync(int concurrency, double seconds, Func<Task<string>> operation)
    {
        var warmEnd = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        var end = warmEnd + (long)(seconds * Stopwatch.Frequency);
        var latencies = new List<double>[concurrency];
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            var mine = latencies[w] = [];
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= end) return;
                await operation();
                if (start >= warmEnd && Stopwatch.GetTimestamp() <= end) mine.Add(BenchReport.Ms(start));
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).ToList();
        return (all.Count / seconds, all, all.Count);
    }
}
