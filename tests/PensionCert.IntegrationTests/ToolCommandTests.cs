using System.Diagnostics;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Command-line checks of the developer tools as built by ./test.sh (Release): mint-token refuses a lifetime that is
/// already over or beyond what the API accepts (it minted an expired token and exited 0), and scripts/chaos.sh refuses
/// bad arguments before starting anything; peek-events says when the sink holds more than it showed and pages through
/// every event with --all.
/// </summary>
public sealed class ToolCommandTests
{
    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("5256000")] // ten years
    public async Task MintToken_MinutesOutsideOneToTheCap_Exit2NoToken(string minutes)
    {
        var (exitCode, output, error) = await RunAsync("dotnet", Tool(), "mint-token", "--role", "admin", "--region", "110000", "--minutes", minutes);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output.Trim());
        Assert.Contains("--minutes must be from 1 to 720", error);
    }

    [Fact]
    public async Task MintToken_WithinTheCap_PrintsAToken()
    {
        var (exitCode, output, _) = await RunAsync("dotnet", Tool(), "mint-token", "--role", "admin", "--region", "110000", "--minutes", "720");

        Assert.Equal(0, exitCode);
        Assert.Equal(3, output.Trim().Split('.').Length);
    }

    [Fact]
    public async Task MintToken_IntegrationRole_PrintsATokenTheApiReadsAsTheMachineIdentity()
    {
        var (exitCode, output, _) = await RunAsync("dotnet", Tool(), "mint-token", "--role", "integration", "--region", "110000", "--subject", "civil-affairs-feed", "--minutes", "60");

        Assert.Equal(0, exitCode);
        var payload = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Base64Url(output.Trim().Split('.')[1]))).RootElement;
        Assert.Equal("integration", payload.GetProperty("role").GetString());
        Assert.Equal("civil-affairs-feed", payload.GetProperty("sub").GetString());
    }

    private static string Base64Url(string segment)
    {
        var s = segment.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }

    [Theory]
    [InlineData("--seed", "abc")]
    [InlineData("--duration", "-1")]
    [InlineData("--settle", "")]
    [InlineData("--unknown", "1")]
    public async Task ChaosScript_BadArguments_Exit2WithUsage(string name, string value)
    {
        var (exitCode, _, error) = await RunAsync("bash", Path.Combine(TestRepository.Root, "scripts", "chaos.sh"), name, value);

        Assert.Equal(2, exitCode);
        Assert.Contains("scripts/chaos.sh [--seed N] [--duration SECONDS] [--settle SECONDS]", error);
    }

    /// <summary>
    /// peek-events on a sink holding 40 events (a private Azurite: the suite's sink gets events from other tests): the
    /// plain peek prints the first 32 and says on standard error that there are about 40 and how to see them all;
    /// --all prints all 40, each once, and leaves all 40 in the queue, visible at once.
    /// </summary>
    [Fact]
    public async Task PeekEvents_MoreThan32_PeekSaysSo_AllPagesThroughEveryEventWithoutRemovingAny()
    {
        await using var azurite = new AzuriteProcess(AzuriteProcess.ChoosePort("PENSIONCERT_TOOL_AZURITE_PORT", 12, 10962), "PENSIONCERT_TOOL_AZURITE_PORT");
        await azurite.StartAsync(TimeSpan.FromSeconds(30));
        var queue = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, PensionCert.Core.Definitions.QueueNames.Events);
        await queue.CreateIfNotExistsAsync();
        var sent = Enumerable.Range(1, 40).Select(i => $"{{\"id\":\"e{i:D2}\",\"type\":\"certification.approved\"}}").ToArray();
        foreach (var body in sent) await queue.SendMessageAsync(body);

        var (exitCode, output, error) = await RunAsync("dotnet", Tool(), "peek-events", "--storage", azurite.ConnectionString);
        Assert.Equal(0, exitCode);
        Assert.Equal(32, Lines(output).Length);
        Assert.Contains("showing the first 32 of about 40 events", error);
        Assert.Contains("--all", error);

        (exitCode, output, error) = await RunAsync("dotnet", Tool(), "peek-events", "--storage", azurite.ConnectionString, "--all");
        Assert.Equal(0, exitCode);
        Assert.Equal(sent.Order(StringComparer.Ordinal), Lines(output).Order(StringComparer.Ordinal));
        Assert.Equal("", error.Trim());
        // Nothing removed, nothing left hidden: all 40 are there and a peek sees the first 32 at once.
        Assert.Equal(40, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(32, (await queue.PeekMessagesAsync(32)).Value.Length);

        // --count asks for fewer; the note still says how many wait.
        (exitCode, output, error) = await RunAsync("dotnet", Tool(), "peek-events", "--storage", azurite.ConnectionString, "--count", "5");
        Assert.Equal(5, Lines(output).Length);
        Assert.Contains("showing the first 5 of about 40 events", error);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Tool() =>
        Path.Combine(TestRepository.Root, "functions", "PensionCert.Tools", "bin", "Release", "net10.0", "PensionCert.Tools.dll");

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = TestRepository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
