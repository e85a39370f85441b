using System.Diagnostics;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Command-line checks of the developer tools as built by ./test.sh (Release): mint-token refuses a lifetime that is
/// already over or beyond what the API accepts (it minted an expired token and exited 0), and scripts/chaos.sh refuses
/// bad arguments before starting anything.
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
