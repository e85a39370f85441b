using System.Diagnostics;
using System.Net.Sockets;
using PensionCert.Tests.Shared;

namespace PensionCert.BrowserTests;

/// <summary>
/// An Azurite of the browser tests' own (the repository's node_modules/.bin/azurite, data in memory), so the rows
/// they seed never meet the integration tests, which count rows and blobs in the suite's shared Azurite to prove that
/// a refused request stored nothing. Ports: see <see cref="BlobPort"/>.
/// </summary>
public sealed class PrivateAzurite : IAsyncDisposable
{
    private Process? _process;

    /// <summary>
    /// Blob port (queue +1, table +2): <c>PENSIONCERT_BROWSER_AZURITE_PORT</c>, else the suite's Azurite blob port
    /// (from <c>PENSIONCERT_TEST_STORAGE</c>, which ./test.sh sets from <c>TEST_AZURITE_BLOB_PORT</c>) + 6, else 10106.
    /// </summary>
    public static int BlobPort { get; } = ChoosePort();

    private static int ChoosePort()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("PENSIONCERT_BROWSER_AZURITE_PORT"), out var port)) return port;
        var suite = Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "";
        var match = System.Text.RegularExpressions.Regex.Match(suite, @"BlobEndpoint=http://[^:;/]+:(\d+)");
        return (match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 10100) + 6;
    }

    /// <summary>The connection string of this Azurite (well-known development account).</summary>
    public static string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{BlobPort + 1}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{BlobPort + 2}/devstoreaccount1;";

    /// <summary>Starts Azurite and waits until its three ports answer.</summary>
    public async Task StartAsync()
    {
        var azurite = Path.Combine(TestRepository.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite)) throw new InvalidOperationException($"{azurite} not found: run npm ci (./test.sh does).");
        foreach (var port in new[] { BlobPort, BlobPort + 1, BlobPort + 2 })
            if (await TestRepository.PortAnswersAsync(port)) throw new InvalidOperationException($"Port {port} is in use; set PENSIONCERT_BROWSER_AZURITE_PORT to a free blob port.");
        var start = new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--inMemoryPersistence",
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", (BlobPort + 1).ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", (BlobPort + 2).ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await TestRepository.PortAnswersAsync(BlobPort) && await TestRepository.PortAnswersAsync(BlobPort + 1) && await TestRepository.PortAnswersAsync(BlobPort + 2)))
        {
            if (_process.HasExited) throw new InvalidOperationException($"Azurite exited with {_process.ExitCode}.");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Azurite did not open its ports within 30 s.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
    }
}
