using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using PensionCert.IntegrationTests;

namespace PensionCert.BrowserTests;

/// <summary>
/// The local host in the Development environment with the console's development sign-in on (as <c>./run.sh</c>
/// runs it), on an Azurite of its own (<see cref="PrivateAzurite"/>), plus the shared <see cref="BrowserFixture"/>.
/// </summary>
public sealed class ConsoleHostFixture : LocalHostFixture
{
    private readonly PrivateAzurite _azurite = new();

    public BrowserFixture Browsers { get; } = new();

    /// <summary>The challenges of the phone page's sessions (the H5 tests script them; production draws them at random).</summary>
    public IntegrationTests.Sessions.ScriptedChallenges Challenges { get; } = new();

    /// <summary>The console's address on this host.</summary>
    public string ConsoleUrl => App.Urls.First().TrimEnd('/') + "/console/";

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Environment.EnvironmentName = Environments.Development;
        builder.Configuration["PensionCert:Console:DevelopmentSignIn"] = "true";
        builder.Services.AddSingleton<Core.Sessions.IChallengeSource>(Challenges);
        // The lists read the projection the event dispatcher writes; the tests dispatch when they need it.
    }

    /// <summary>Storage of the browser tests' own (see <see cref="PrivateAzurite"/>).</summary>
    protected override async Task<string> StorageConnectionAsync()
    {
        await _azurite.StartAsync();
        return PrivateAzurite.ConnectionString;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Browsers.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await Browsers.DisposeAsync();
        await base.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    /// <summary>Opens the console in a new context and signs in with the development sign-in.</summary>
    public async Task<IPage> SignInAsync(string role, string regions, string operatorId, string? cameraPhoto = null, int width = 1280, int height = 800)
    {
        var context = await Browsers.NewContextAsync(cameraPhoto, width, height);
        var page = await context.NewPageAsync();
        await page.GotoAsync(ConsoleUrl);
        await page.GetByLabel("岗位").SelectOptionAsync(role);
        await page.GetByLabel("负责的行政区划代码").FillAsync(regions);
        await page.GetByLabel("操作员编号（可选）").FillAsync(operatorId);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).WaitForAsync();
        return page;
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleHostFixture>
{
    public const string Name = "console on the local host";
}
