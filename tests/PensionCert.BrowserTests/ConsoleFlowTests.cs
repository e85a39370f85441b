using Microsoft.Playwright;
using PensionCert.IntegrationTests;

namespace PensionCert.BrowserTests;

/// <summary>
/// The review queue as reviewers use it, end to end on the local host with real photos and the real models: a reviewer
/// decides a case and the pensioner is certified; a reviewer of another region sees none of it.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleFlowTests(ConsoleHostFixture host)
{
    private const string Region = "110105";
    private const string OtherRegion = "310101";
    private const string Reference = "deepface/img1.jpg";

    [Fact]
    public async Task Reviewer_ClaimsANeedsReviewCase_SeesBothPhotos_Approves_AndTheEligibilityBecomesValid()
    {
        // The reference photo replayed as the selfie: the worker sends it to review (probe-matches-reference).
        var (pensionerId, idNumber) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        var certificationId = await host.SubmitOkAsync(idNumber, Reference);
        Assert.Equal("NeedsReview", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());
        Assert.NotEqual("Valid", await ConsoleSteps.StateAsync(host, pensionerId));

        var page = await host.SignInAsync("reviewer", Region, "reviewer-ui-01");
        await page.GetByRole(AriaRole.Link, new() { Name = "审核队列" }).ClickAsync();
        await Assertions.Expect(page.Locator("#review-overview")).ToContainTextAsync("最早一件已等待");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = pensionerId });
        await row.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "认领此案件" }).ClickAsync();
        await Assertions.Expect(page.Locator("#review-detail")).ToContainTextAsync("已认领");

        // Both photos are on screen, loaded (decoded by the browser), side by side with the scores and reasons.
        foreach (var name in new[] { "登记照片", "本次认证照片" })
        {
            var image = page.GetByRole(AriaRole.Img, new() { Name = name, Exact = true });
            await Assertions.Expect(image).ToBeVisibleAsync();
            await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 100", await image.ElementHandleAsync());
        }
        var detail = page.Locator("#review-detail");
        await Assertions.Expect(detail).ToContainTextAsync("相似度");
        await Assertions.Expect(detail).ToContainTextAsync("probe-matches-reference");
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "该人员最近的认证" })).ToContainTextAsync("待人工复核");
        await ConsoleSteps.AssertAccessibleAsync(page, "review case with its decision form");
        await ConsoleSteps.ScreenshotsAsync(host, page, "console-review-case");

        await page.GetByLabel("通过：确认是本人，资格认证有效").CheckAsync();
        await page.GetByLabel("备注（可选）").FillAsync("与登记照片为同一人");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交决定" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("决定已提交：已通过");

        Assert.Equal("Valid", await ConsoleSteps.StateAsync(host, pensionerId));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ReviewerOfAnotherRegion_SeesNoneOfTheRegionsCases()
    {
        var (pensionerId, idNumber) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        var certificationId = await host.SubmitOkAsync(idNumber, Reference);
        Assert.Equal("NeedsReview", (await host.PollDecidedAsync(certificationId)).GetProperty("status").GetString());

        var reviewer = await host.SignInAsync("reviewer", OtherRegion, "reviewer-other-01");
        await reviewer.GetByRole(AriaRole.Link, new() { Name = "审核队列" }).ClickAsync();
        await Assertions.Expect(reviewer.Locator("#review-overview")).ToBeVisibleAsync();
        await reviewer.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.DoesNotContain(pensionerId, await reviewer.Locator("main").InnerTextAsync());
        await reviewer.GetByLabel("行政区划").FillAsync(Region);
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Assertions.Expect(reviewer.GetByRole(AriaRole.Alert)).ToContainTextAsync("region-not-served");
        Assert.DoesNotContain(pensionerId, await reviewer.Locator("main").InnerTextAsync());
        await reviewer.Context.CloseAsync();
    }
}
