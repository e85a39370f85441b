using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PensionCert.Tests.Shared;

/// <summary>
/// An Azurite of a test fixture's own (the repository's <c>node_modules/.bin/azurite</c>) on a blob port and the two
/// after it (queue +1, table +2): for fixtures whose rows must never meet the suite's shared Azurite, or that stop and
/// restart storage. Data in memory, or in <c>dataDirectory</c> when the data must outlive a restart.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _dataDirectory;
    private readonly string _portVariable;
    private Process? _process;

    /// <param name="blobPort">Blob port; queue and table are the next two.</param>
    /// <param name="portVariable">The environment variable that moves the port, named in errors.</param>
    /// <param name="dataDirectory">Where Azurite keeps its data across restarts; null keeps it in memory.</param>
    public AzuriteProcess(int blobPort, string portVariable, string? dataDirectory = null)
    {
        BlobPort = blobPort;
        _portVariable = portVariable;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The blob port (queue +1, table +2).</summary>
    public int BlobPort { get; }

    /// <summary>The connection string of this Azurite (the well-known development account).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{BlobPort + 1}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{BlobPort + 2}/devstoreaccount1;";

    /// <summary>
    /// A fixture's blob port: <paramref name="variable"/> when set, else the suite's Azurite blob port (from
    /// <c>PENSIONCERT_TEST_STORAGE</c>, which ./test.sh sets from <c>TEST_AZURITE_BLOB_PORT</c>) + <paramref name="offset"/>,
    /// else <paramref name="fallback"/>. Derived from the suite's port so that runs given different port ranges on one
    /// machine never share it.
    /// </summary>
    public static int ChoosePort(string variable, int offset, int fallback)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(variable), out var port)) return port;
        var suite = Regex.Match(Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "", @"BlobEndpoint=http://[^:;/]+:(\d+)");
        return suite.Success ? int.Parse(suite.Groups[1].Value, CultureInfo.InvariantCulture) + offset : fallback;
    }

    /// <summary>Starts Azurite and waits until its three ports answer; refuses ports that are already taken.</summary>
    public async Task StartAsync(TimeSpan timeout)
    {
        var azurite = Path.Combine(TestRepository.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite)) throw new InvalidOperationException($"{azurite} not found: run npm ci (./test.sh does).");
        foreach (var port in Ports)
            if (await TestRepository.PortAnswersAsync(port)) throw new InvalidOperationException($"Port {port} is in use; set {_portVariable} to a free blob port.");
        var start = new ProcessStartInfo(azurite) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry" }) start.ArgumentList.Add(argument);
        if (_dataDirectory is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(_dataDirectory);
        }
        foreach (var (service, port) in new[] { ("blob", BlobPort), ("queue", BlobPort + 1), ("table", BlobPort + 2) })
        {
            start.ArgumentList.Add($"--{service}Host");
            start.ArgumentList.Add("127.0.0.1");
            start.ArgumentList.Add($"--{service}Port");
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + timeout;
        while (!await AllPortsAnswerAsync())
        {
            if (_process.HasExited) throw new InvalidOperationException($"Azurite exited with {_process.ExitCode}; is port {BlobPort} free? Set {_portVariable}.");
            if (DateTime.UtcNow > deadline)
            {
                // xunit does not dispose a fixture whose start failed: stop the emulator here, or it would hold the ports.
                await KillAsync();
                throw new TimeoutException($"Azurite did not open its ports within {timeout.TotalSeconds:F0} s.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Stops Azurite with SIGTERM and waits until its ports are closed. (Not SIGKILL: Azurite keeps its metadata in
    /// memory and saves it on shutdown, so a killed emulator would lose containers — an emulator artefact, not an outage.)
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }
        _process.Dispose();
        _process = null;
        while (await TestRepository.PortAnswersAsync(BlobPort)) await Task.Delay(50);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
    }

    private int[] Ports => [BlobPort, BlobPort + 1, BlobPort + 2];

    private async Task<bool> AllPortsAnswerAsync()
    {
        foreach (var port in Ports)
            if (!await TestRepository.PortAnswersAsync(port)) return false;
        return true;
    }

    private async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }
}
