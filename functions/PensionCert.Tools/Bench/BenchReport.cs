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

    /// <summary>Formats median / p95 of a series in milliseconds.</summary>
    public static string MedianP95(IReadOnlyCollection<double> values) => $"{Median(values),7:F2} / {P95(values),7:F2}";

    /// <summary>Milliseconds since <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/> value).</summary>
    public static double Ms(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}
