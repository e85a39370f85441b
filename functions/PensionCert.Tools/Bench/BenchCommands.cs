using System.CommandLine;

namespace PensionCert.Tools.Bench;

/// <summary>
/// <c>bench</c>: performance benchmarks that print figures (docs/performance.md). Subcommands: <c>pipeline</c>
/// (benchmarks 1 and 2), <c>e2e</c> (3 and 6), <c>ingest</c> (4), <c>coldstart</c> (5), <c>load</c> (peak load). The storage benchmarks need an
/// Azurite of their own: <c>scripts/bench.sh</c> starts one and passes its connection string.
/// </summary>
internal static class BenchCommands
{
    private const string StorageVariable = "PENSIONCERT_BENCH_STORAGE";

    public static Command Create(Option<DirectoryInfo> facesOption)
    {
        var probe = new Option<string>("--probe") { Description = "Corpus photo the probe JPEGs are made from (relative to --faces).", DefaultValueFactory = _ => "face_recognition/obama.jpg" };
        var reference = new Option<string>("--reference") { Description = "Corpus photo enrolled as the reference (relative to --faces).", DefaultValueFactory = _ => "face_recognition/obama1.jpg" };
        var iterations = new Option<int>("--iterations") { Description = "Measured verifications per photo.", DefaultValueFactory = _ => 200 };
        var warmup = new Option<int>("--warmup") { Description = "Unmeasured verifications first.", DefaultValueFactory = _ => 20 };
        var storage = new Option<string>("--storage")
        {
            Description = $"Storage connection string of a benchmark Azurite (default: environment variable {StorageVariable}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StorageVariable) ?? "",
        };
        var port = new Option<int>("--port") { Description = "Loopback HTTP port for the local host.", DefaultValueFactory = _ => 7171 };
        var count = new Option<int>("--count") { Description = "Submissions.", DefaultValueFactory = _ => 1000 };
        var clients = new Option<int>("--clients") { Description = "Concurrent submitting clients.", DefaultValueFactory = _ => 4 };
        var batchSize = new Option<int?>("--batch-size") { Description = "Override host.json queues.batchSize for this run." };
        var newBatchThreshold = new Option<int?>("--new-batch-threshold") { Description = "Override host.json queues.newBatchThreshold for this run." };
        var concurrency = new Option<int[]>("--concurrency") { Description = "Concurrent clients, one run each.", DefaultValueFactory = _ => [16, 64], AllowMultipleArgumentsPerToken = true };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per run.", DefaultValueFactory = _ => 10 };
        var hostDll = new Option<FileInfo>("--host-dll")
        {
            Description = "The built local host.",
            DefaultValueFactory = _ => new FileInfo("functions/PensionCert.LocalHost/bin/Release/net10.0/PensionCert.LocalHost.dll"),
        };
        var runs = new Option<int>("--runs") { Description = "Cold starts (the first is reported but excluded from the median when more than one).", DefaultValueFactory = _ => 4 };

        var decodeLongSide = new Option<int?>("--decode-long-side") { Description = "Override PensionCert:Quality:DecodeLongSidePixels for this run (compare decode scales)." };
        var minFaceDetail = new Option<int?>("--min-face-detail") { Description = "Override PensionCert:Quality:MinFaceDetailPixels for this run." };
        var pipeline = new Command("pipeline", "Benchmarks 1+2: single-thread pipeline per stage (640x480 and 12 MP EXIF-rotated JPEG) and pure model time.")
        {
            facesOption, probe, reference, iterations, warmup, decodeLongSide, minFaceDetail,
        };
        pipeline.SetAction(parse => PipelineBench.Run(parse.GetValue(facesOption)!, parse.GetValue(probe)!, parse.GetValue(reference)!,
            parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(decodeLongSide), parse.GetValue(minFaceDetail), Console.Out));

        var e2e = new Command("e2e", "Benchmarks 3+6: submissions over HTTP processed by the queue trigger on Azurite; throughput, latency, memory series.")
        {
            facesOption, probe, reference, storage, port, count, clients, batchSize, newBatchThreshold,
        };
        e2e.SetAction((parse, ct) => E2EBench.RunAsync(parse.GetValue(facesOption)!, RequireStorage(parse.GetValue(storage)), parse.GetValue(port), parse.GetValue(count),
            parse.GetValue(clients), parse.GetValue(batchSize), parse.GetValue(newBatchThreshold), parse.GetValue(probe)!, parse.GetValue(reference)!, Console.Out, ct));

        var drain = new Command("drain", "Benchmark 3b: N verifications queued with the trigger off, then drained by a fresh worker; CPU per verification, projection for Azure.")
        {
            facesOption, probe, reference, storage, port, count,
        };
        drain.SetAction((parse, ct) => DrainBench.RunAsync(parse.GetValue(facesOption)!, RequireStorage(parse.GetValue(storage)), parse.GetValue(port), parse.GetValue(count),
            parse.GetValue(probe)!, parse.GetValue(reference)!, Console.Out, ct));

        var ingest = new Command("ingest", "Benchmark 4: HTTP ingest alone (queue trigger disabled) vs raw blob upload + queue send.")
        {
            facesOption, probe, reference, storage, port, concurrency, seconds,
        };
        ingest.SetAction((parse, ct) => IngestBench.RunAsync(parse.GetValue(facesOption)!, RequireStorage(parse.GetValue(storage)), parse.GetValue(port),
            parse.GetValue(concurrency)!, parse.GetValue(seconds), parse.GetValue(probe)!, parse.GetValue(reference)!, Console.Out, ct));

        var coldstart = new Command("coldstart", "Benchmark 5: local host child process start → /api/health ready → first decision.")
        {
            facesOption, probe, reference, storage, port, hostDll, runs,
        };
        coldstart.SetAction((parse, ct) => ColdStartBench.RunAsync(parse.GetValue(facesOption)!, RequireStorage(parse.GetValue(storage)), parse.GetValue(port),
            parse.GetValue(hostDll)!, parse.GetValue(runs), parse.GetValue(probe)!, parse.GetValue(reference)!, Console.Out, ct));

        var loadClients = new Option<int>("--clients") { Description = "Concurrent submitting clients.", DefaultValueFactory = _ => 64 };
        var loadSeconds = new Option<double>("--seconds") { Description = "Seconds of load (then a bounded drain).", DefaultValueFactory = _ => 120 };
        var pensionerCount = new Option<int>("--pensioners") { Description = "Pensioners enrolled and drawn from.", DefaultValueFactory = _ => 128 };
        var seed = new Option<int>("--seed") { Description = "Seed of each client's pensioner sequence.", DefaultValueFactory = _ => 15 };
        var load = new Command("load", "Peak load: concurrent clients submit for a fixed time on loopback; every response 202, or 429/503 with Retry-After; p50/p95/p99 submit-to-decision latency and decisions per minute.")
        {
            facesOption, probe, reference, storage, port, loadClients, loadSeconds, pensionerCount, seed,
        };
        load.SetAction((parse, ct) => LoadBench.RunAsync(parse.GetValue(facesOption)!, RequireStorage(parse.GetValue(storage)), parse.GetValue(port),
            parse.GetValue(loadClients), parse.GetValue(loadSeconds), parse.GetValue(pensionerCount), parse.GetValue(seed), parse.GetValue(probe)!, parse.GetValue(reference)!, Console.Out, ct));

        return new Command("bench", "Performance benchmarks; they print figures (docs/performance.md).") { pipeline, e2e, drain, ingest, coldstart, load };
    }

    private static string RequireStorage(string? storage) =>
        string.IsNullOrWhiteSpace(storage)
            ? throw new InvalidOperationException($"No storage: pass --storage or set {StorageVariable} (scripts/bench.sh starts a benchmark Azurite and sets it).")
            : storage;
}
