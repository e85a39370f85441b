using System.Diagnostics;

namespace PensionCert.Tools.Bench;

/// <summary>Small helpers shared by the benchmarks: percentiles, machine description and load average.</summary>
internal static class BenchReport
{
    /// <summary>The q-quantile (0..1) of <paramref name="values"/> by the nearest-rank method; NaN when empty.</summary>
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyCollection<double> values) => Quantile(values, 0.5);

    /// <summary>95th percentile of <paramref name="values"/>.</summary>
    public static double P95(IReadOnlyCollection<double> values) => Quantile(values, 0.95);

    /// <summary>The first three fields of /proc/loadavg (1, 5 and 15 minute load averages), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>One line describing the machine: logical cores, CPU model, memory, runtime.</summary>
    public static string Machine()
    {
        var cpu = "unknown CPU";
        var memory = "unknown memory";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
            var kb = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            if (long.TryParse(kb, out var k)) memory = $"{k / 1024d / 1024d:F1} GiB";
        }
        catch (IOException)
        {
            // Not Linux: keep the defaults.
        }

        return $"{Environment.ProcessorCount} logical cores, {cpu}, {memory}, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    /// <summary>Prints the benchmark header: title, machine, load average.</summary>
    public static void Header(TextWriter output, string title)
    {
        output.WriteLine($"== bench {title} ==");
        output.WriteLine($"machine: {Machine()}");
        output.WriteLine($"load average at start: {LoadAverage()}");
    }

    /// <summary>
    /// The throughput yardstick of benchmarks 3 and 3b: median wall time of 30 single-thread analyses of
    /// <paramref name="selfie"/> (after 10 unmeasured), in milliseconds.
    /// </summary>
    public static double PipelineMedianMs(PensionCert.FaceMatching.FaceAnalyzer analyzer, byte[] selfie, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var start = Stopwatch.GetTimestamp();
            analyzer.Analyze(selfie, PensionCert.Core.Faces.FaceAnalysisPurpose.Verification, out _, cancellationToken);
            if (i >= 10) times.Add(Ms(start));
        }
        return Median(times);
    }

    /// <summary>Formats median / p95 of a series in milliseconds.</summary>
    public static string MedianP95(IReadOnlyCollection<double> values) => $"{Median(values),7:F2} / {P95(values),7:F2}";

    /// <summary>Milliseconds since <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public static double Ms(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    /// <summary>
    /// Where the machine's CPU went between two samples (Linux /proc): busy core-seconds of the whole machine, of this
    /// process, and of the Azurite (node) processes. Shows whether the cores sat idle waiting on I/O, or were busy with
    /// storage emulation that in Azure runs off the worker.
    /// </summary>
    public sealed record CpuSample(double MachineBusySeconds, double MachineTotalSeconds, double AzuriteSeconds, double ProcessSeconds)
    {
        private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

        /// <summary>Takes a sample now (zeros where /proc is unavailable).</summary>
        public static CpuSample Take()
        {
            double busy = 0, total = 0, azurite = 0;
            try
            {
                var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse).ToArray();
                total = cpu.Take(8).Sum() / TicksPerSecond;
                busy = total - (cpu[3] + cpu[4]) / TicksPerSecond; // minus idle and iowait
                foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
                {
                    try
                    {
                        if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("azurite", StringComparison.Ordinal)) continue;
                        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        azurite += (double.Parse(fields[11]) + double.Parse(fields[12])) / TicksPerSecond; // utime + stime
                    }
                    catch (IOException)
                    {
                        // The process ended meanwhile.
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                // Not Linux.
            }
            return new CpuSample(busy, total, azurite, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        }

        /// <summary>One line: machine busy share and the split between this process, Azurite and the rest.</summary>
        public string Since(CpuSample start)
        {
            var busy = MachineBusySeconds - start.MachineBusySeconds;
            var total = MachineTotalSeconds - start.MachineTotalSeconds;
            var azurite = AzuriteSeconds - start.AzuriteSeconds;
            var process = ProcessSeconds - start.ProcessSeconds;
            return total <= 0 ? "CPU accounting unavailable" :
                $"machine CPU busy {busy / total:P0} of all cores; of the busy time: this process (host + client) {process / busy:P0}, Azurite {azurite / busy:P0}, everything else {Math.Max(0, busy - process - azurite) / busy:P0}";
        }
    }
}
