using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PensionCert.IntegrationTests;

/// <summary>
/// <c>./run.sh</c> as a person (or a script) runs it: its own Azurite on free ports and the Release local host that
/// ./test.sh built (<c>RUN_NO_BUILD=1</c>). The host is restarted after <c>kill -9</c>; Ctrl-C and SIGTERM stop the
/// host first and Azurite after it within 5 s, without a stack trace, also when run.sh was started with &amp; by a
/// non-interactive shell (which starts it with SIGINT ignored); a configuration error ends run.sh with 78.
/// </summary>
public sealed class RunScriptTests
{
    [Fact]
    public async Task RunSh_StartedInBackground_HostKilledIsRestarted_KillIntStopsHostThenAzuriteWithin5s()
    {
        // `./run.sh & …` from a non-interactive shell: run.sh inherits SIGINT ignored (the case that kept restarting).
        await using var run = await RunSh.StartAsync("./run.sh & pid=$!; echo $pid; wait $pid");
        await run.WaitHealthyAsync();
        var firstHost = run.HostPid();

        using (var kill = Process.Start("kill", ["-KILL", firstHost.ToString()])) await kill.WaitForExitAsync();
        await run.WaitUntilAsync(() => run.TryHostPid() is { } p && p != firstHost, "a new host after kill -9");
        await run.WaitHealthyAsync();

        await run.StopAndAssertOrderlyAsync("-INT", run.ScriptPid.ToString());
        Assert.Contains("exited with 137; restarting", run.Output, StringComparison.Ordinal);
        // It said "Production" while serving the development keys of appsettings.json; run.sh runs it as Development.
        Assert.Contains("Hosting environment: Development", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunSh_TerminalCtrlC_ToItsProcessGroup_StopsHostThenAzuriteWithin5s()
    {
        // A terminal's Ctrl-C sends SIGINT to the whole foreground process group: run.sh leads its own group here.
        await using var run = await RunSh.StartAsync("exec setsid ./run.sh", scriptIsShell: true);
        await run.WaitHealthyAsync();

        await run.StopAndAssertOrderlyAsync("-INT", "-" + run.ScriptPid);
    }

    [Fact]
    public async Task RunSh_SigTerm_StopsHostThenAzuriteWithin5s()
    {
        await using var run = await RunSh.StartAsync("exec ./run.sh", scriptIsShell: true);
        await run.WaitHealthyAsync();

        await run.StopAndAssertOrderlyAsync("-TERM", run.ScriptPid.ToString());
    }

    [Fact]
    public async Task RunSh_ConfigurationError_Exits78WithoutRestartAndStopsAzurite()
    {
        await using var run = await RunSh.StartAsync("exec ./run.sh", scriptIsShell: true,
            environment: new() { ["PensionCert__LocalHost__RequestTimeoutSeconds"] = "0" });

        var exitCode = await run.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 78, $"exit {exitCode}\n{run.Output}");
        Assert.Contains("configuration error: PensionCert:LocalHost:RequestTimeoutSeconds", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("restarting", run.Output, StringComparison.Ordinal);
        Assert.False(await RunSh.AnswersAsync(run.BlobPort), "Azurite still listens after run.sh ended");
    }

    /// <summary>One run.sh process (through bash) with its output captured and the pids of its children.</summary>
    private sealed class RunSh : IAsyncDisposable
    {
        private readonly Process _shell;
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource<int> _scriptPid = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private readonly string _data;

        private RunSh(Process shell, int httpPort, int blobPort, string data, bool scriptIsShell)
        {
            _shell = shell;
            _data = data;
            HttpPort = httpPort;
            BlobPort = blobPort;
            if (scriptIsShell) _scriptPid.SetResult(shell.Id);
        }

        public int HttpPort { get; }
        public int BlobPort { get; }
        public int ScriptPid => _scriptPid.Task.Result;

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        /// <summary>Starts <paramref name="command"/> with bash in the repository root, on free ports.</summary>
        public static async Task<RunSh> StartAsync(string command, bool scriptIsShell = false, Dictionary<string, string>? environment = null)
        {
            var httpPort = FreePort();
            var blobPort = FreePortRange(3);
            var start = new ProcessStartInfo("bash", ["-c", command])
            {
                WorkingDirectory = RepositoryRoot(),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["PORT"] = httpPort.ToString(),
                    ["AZURITE_BLOB_PORT"] = blobPort.ToString(),
                    ["RUN_NO_BUILD"] = "1",
                    // The dashboard has its own test; these stay on the host and Azurite (and off ports 4317/18888).
                    ["NO_DASHBOARD"] = "1",
                },
            };
            var data = Directory.CreateTempSubdirectory("pensioncert-runsh-azurite").FullName;
            start.Environment["AZURITE_DATA"] = data;
            start.Environment.Remove("AzureWebJobsStorage");
            start.Environment.Remove("PENSIONCERT_RUN_SIGNALS");
            foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
            var shell = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
            var run = new RunSh(shell, httpPort, blobPort, data, scriptIsShell);
            shell.OutputDataReceived += (_, e) => run.Append(e.Data);
            shell.ErrorDataReceived += (_, e) => run.Append(e.Data);
            shell.BeginOutputReadLine();
            shell.BeginErrorReadLine();
            if (!scriptIsShell) await run._scriptPid.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return run;
        }

        private void Append(string? line)
        {
            if (line is null) return;
            if (!_scriptPid.Task.IsCompleted && int.TryParse(line, out var pid)) _scriptPid.TrySetResult(pid);
            lock (_output) _output.AppendLine(line);
        }

        public async Task WaitHealthyAsync()
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilAsync(async () =>
            {
                try
                {
                    using var response = await http.GetAsync("/api/health");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, "a healthy local host", seconds: 90);
        }

        /// <summary>
        /// Sends <paramref name="signal"/> to <paramref name="target"/> (a pid, or -pgid) and asserts: the host is gone
        /// before Azurite, both within 5 s, run.sh ends with 0, the ports are closed and nothing printed a stack trace.
        /// </summary>
        public async Task StopAndAssertOrderlyAsync(string signal, string target)
        {
            // The host may be between two lives (run.sh restarts a host that stopped itself, e.g. after a listener
            // failure on a loaded machine): wait a little for it rather than fail on the gap.
            await WaitUntilAsync(() => TryHostPid() is not null, "a host child of run.sh", seconds: 15);
            var host = HostPid();
            var azurite = ChildPid("azurite") ?? throw new InvalidOperationException("run.sh has no Azurite child\n" + Output);
            var clock = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", [signal, "--", target])) await kill.WaitForExitAsync();
            TimeSpan? hostGone = null, azuriteGone = null;
            while (clock.Elapsed < TimeSpan.FromSeconds(10) && (hostGone is null || azuriteGone is null))
            {
                if (hostGone is null && !Alive(host)) hostGone = clock.Elapsed;
                if (azuriteGone is null && !Alive(azurite)) azuriteGone = clock.Elapsed;
                await Task.Delay(20);
            }
            var exitCode = await WaitForExitAsync(TimeSpan.FromSeconds(10));
            var output = Output;
            Assert.True(hostGone is not null && azuriteGone is not null, "still running 10 s after the signal\n" + output);
            Assert.True(azuriteGone <= TimeSpan.FromSeconds(5), $"stopped after {azuriteGone!.Value.TotalSeconds:0.0} s\n{output}");
            Assert.True(hostGone <= azuriteGone, $"Azurite stopped at {azuriteGone.Value.TotalSeconds:0.00} s, before the host ({hostGone!.Value.TotalSeconds:0.00} s)\n{output}");
            Assert.Equal(0, exitCode);
            Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
            Assert.False(await AnswersAsync(HttpPort) || await AnswersAsync(BlobPort), "a port still answers after run.sh ended\n" + output);
        }

        public int HostPid() => TryHostPid() ?? throw new InvalidOperationException("run.sh has no host child\n" + Output);

        public int? TryHostPid() => ChildPid("PensionCert.LocalHost.dll");

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await _shell.WaitForExitAsync(cts.Token);
            // With "./run.sh & …; wait $pid" the shell ends when run.sh does, with its exit code.
            return _shell.ExitCode;
        }

        public async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 60) =>
            await WaitUntilAsync(() => Task.FromResult(condition()), what, seconds);

        private async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 60)
        {
            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (!await condition())
            {
                if (_shell.HasExited) throw new InvalidOperationException($"run.sh ended ({_shell.ExitCode}) while waiting for {what}\n{Output}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} within {seconds} s\n{Output}");
                await Task.Delay(200);
            }
        }

        /// <summary>The child of run.sh whose command line contains <paramref name="marker"/>.</summary>
        private int? ChildPid(string marker)
        {
            var children = File.ReadAllText($"/proc/{ScriptPid}/task/{ScriptPid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var child in children.Select(int.Parse))
            {
                try
                {
                    if (File.ReadAllText($"/proc/{child}/cmdline").Contains(marker, StringComparison.Ordinal)) return child;
                }
                catch (IOException)
                {
                    // Ended meanwhile.
                }
            }
            return null;
        }

        private static bool Alive(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }

        public static async Task<bool> AnswersAsync(int port)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        /// <summary>The first of <paramref name="count"/> consecutive free ports (Azurite's blob, queue, table).</summary>
        private static int FreePortRange(int count)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var first = Random.Shared.Next(20000, 32000); // below the ephemeral ports (32768+) that FreePort and clients use
                if (Enumerable.Range(first, count).All(p => !AnswersAsync(p).GetAwaiter().GetResult())) return first;
            }
            throw new InvalidOperationException("no free port range for Azurite");
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "run.sh"))) return dir.FullName;
            throw new InvalidOperationException("Repository root (run.sh) not found above the test binaries.");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_shell.HasExited)
            {
                // A failed test: stop run.sh (which stops what it started) and wait for it.
                using (var term = Process.Start("kill", ["-TERM", ScriptPid.ToString()])) await term.WaitForExitAsync();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _shell.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _shell.Kill(entireProcessTree: true);
                }
            }
            _shell.Dispose();
            Directory.Delete(_data, recursive: true);
        }
    }
}
