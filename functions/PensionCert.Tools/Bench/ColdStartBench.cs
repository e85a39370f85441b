using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Benchmark 5: spawns the built local host (<c>dotnet PensionCert.LocalHost.dll</c>) as a child process and measures
/// process start → first 200 from /api/health, and → first decision (enrol one pensioner, submit one selfie, poll until
/// decided); counts the "Face models warmed up" log lines to show the models load once.
/// </summary>
internal static class ColdStartBench
{
    public static async Task<int> RunAsync(DirectoryInfo faces, string storage, int port, FileInfo hostDll, int runs, string probePath, string referencePath,
        TextWriter output, CancellationToken cancellationToken)
    {
        BenchReport.Header(output, "coldstart (benchmark 5: child process start → /api/health 200 → first decision)");
        if (!hostDll.Exists) throw new FileNotFoundException($"Build the local host first (dotnet build -c Release): {hostDll.FullName}");
        using var photo = SKBitmap.Decode(Path.Combine(faces.FullName, probePath));
        var selfie = BenchImages.Vga(photo);
        var reference = File.ReadAllBytes(Path.Combine(faces.FullName, referencePath));
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var ready = new List<double>();
        var decided = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var start = new ProcessStartInfo("dotnet", [hostDll.FullName])
            {
                WorkingDirectory = hostDll.DirectoryName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["Urls"] = url;
            start.Environment["AzureWebJobsStorage"] = storage;
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the local host.");
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) logs.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) logs.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
            try
            {
                double readyMs;
                while (true)
                {
                    if (process.HasExited) throw new InvalidOperationException($"The local host exited: {string.Join(Environment.NewLine, logs)}");
                    try
                    {
                        using var response = await http.GetAsync("/api/health", cancellationToken);
                        if (response.IsSuccessStatusCode)
                        {
                            readyMs = clock.Elapsed.TotalMilliseconds;
                            break;
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // Not listening yet.
                    }

                    await Task.Delay(10, cancellationToken);
                    if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("No healthy answer within 60 s.");
                }

                var idNumber = await BenchHost.EnrollAsync(http, reference, cancellationToken);
                var certificationId = await BenchHost.SubmitAsync(http, idNumber, selfie, cancellationToken);
                string status;
                while (true)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/certifications/{certificationId}");
                    request.Headers.Add("x-functions-key", BenchHost.ClientKey);
                    using var response = await http.SendAsync(request, cancellationToken);
                    status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("status").GetString()!;
                    if (status is not ("Pending" or "Processing")) break;
                    await Task.Delay(10, cancellationToken);
                }

                var decidedMs = clock.Elapsed.TotalMilliseconds;
                var warmups = logs.Count(l => l.Contains("Face models warmed up", StringComparison.Ordinal));
                var warmLine = logs.FirstOrDefault(l => l.Contains("Face models warmed up", StringComparison.Ordinal))?.Trim() ?? "(no warm-up log line)";
                output.WriteLine($"run {run + 1}: ready {readyMs,6:F0} ms, first decision ({status}) {decidedMs,6:F0} ms; model warm-ups logged: {warmups} ({warmLine}); load average {BenchReport.LoadAverage()}");
                if (run > 0 || runs == 1)
                {
                    ready.Add(readyMs);
                    decided.Add(decidedMs);
                }
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(cancellationToken);
            }
        }

        output.WriteLine($"median over {ready.Count} run(s){(runs > 1 ? " (first run excluded: disk cache)" : "")}: ready {BenchReport.Median(ready):F0} ms (goal < 2000 ms: {(BenchReport.Median(ready) < 2000 ? "met" : "NOT met")}), first decision {BenchReport.Median(decided):F0} ms");
        output.WriteLine($"load average at end: {BenchReport.LoadAverage()}");
        return 0;
    }
}
