using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PensionCert.Core.Cycle;
using PensionCert.Core.Operators;
using PensionCert.IntegrationTests;

namespace PensionCert.BrowserTests;

/// <summary>Steps the console tests share: seeding pensioners through the API, and checking a page with axe.</summary>
internal static class ConsoleSteps
{
    /// <summary>Enrols a pensioner of <paramref name="region"/> with a corpus photo as reference; returns (pensionerId, idNumber).</summary>
    public static async Task<(string PensionerId, string IdNumber)> EnrolAsync(ConsoleHostFixture host, string region, string photo)
    {
        var idNumber = TestIdNumbers.New(region);
        return (await host.EnrollOkAsync(idNumber, photo), idNumber);
    }

    /// <summary>Records a status change as an admin and publishes the pending events, so the region lists show it.</summary>
    public static async Task MarkAsync(ConsoleHostFixture host, string pensionerId, string status)
    {
        if (status is "deceased" or "transferred")
        {
            // A death or a transfer is four-eyes: reported, then approved by a second admin.
            var today = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd");
            await (status == "deceased" ? host.MarkDeceasedWithSecondAdminAsync(pensionerId, today) : host.MarkTransferredWithSecondAdminAsync(pensionerId, today));
            await DispatchEventsAsync(host);
            return;
        }
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, $"/api/pensioners/{pensionerId}/status",
            LocalHostFixture.OperatorKeyHeader, JsonContent.Create(new { status, effectiveOn = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd") })));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        await DispatchEventsAsync(host);
    }

    /// <summary>Runs the event dispatcher once (the host's timer is off in tests), projecting events into the region lists.</summary>
    public static Task DispatchEventsAsync(ConsoleHostFixture host) =>
        host.App.Services.GetRequiredService<OutboxDispatcher>().DispatchAsync(CancellationToken.None);

    /// <summary>The pensioner's eligibility state as the API reports it to an admin.</summary>
    public static async Task<string> StateAsync(ConsoleHostFixture host, string pensionerId)
    {
        var json = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader);
        return json.GetProperty("state").GetString()!;
    }

    /// <summary>
    /// Two screenshots of the page: <c>{name}.png</c> as it is, and <c>{name}-masked.png</c> with every photo and video
    /// covered (face photos of the corpus never go into the repository's documentation).
    /// </summary>
    public static async Task ScreenshotsAsync(ConsoleHostFixture host, IPage page, string name)
    {
        await host.Browsers.ScreenshotAsync(page, name);
        await host.Browsers.ScreenshotAsync(page, name + "-masked", [page.Locator("main img, main video")]);
    }

    /// <summary>Runs axe on the page and fails on any serious or critical violation, naming each.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var blocking = result.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(blocking.Length == 0, $"{what}: " + string.Join("; ", blocking.Select(v =>
            $"{v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target.ToString()))}")));
    }
}
