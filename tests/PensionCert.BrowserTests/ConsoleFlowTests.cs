using Microsoft.Playwright;
using PensionCert.IntegrationTests;

namespace PensionCert.BrowserTests;

/// <summary>
/// The review queue and the counter as operators use them, end to end on the local host with real photos and the real
/// models: a reviewer decides a case and the pensioner is certified; a reviewer of another region sees none of it; a
/// clerk certifies a pensioner at the counter through the webcam (Chromium's fake camera playing another photo of them).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleFlowTests(ConsoleHostFixture host)
{
    private const string Region = "110105";
    private const string OtherRegion = "310101";
    private const string Reference = "deepface/img1.jpg";
    /// <summary>Another photo of the same person, played by the fake webcam at the counter.</summary>
    private const string SamePersonOnCamera = "deepface/img2.jpg";

    [Fact]
    public async Task Reviewer_OpensAnIdPhotoEnrolment_SeesTheProposedPhoto_Approves_AndThePensionerIsEnrolled()
    {
        // An admin of the tests submits an FG-NET scanned print (liveness 0.0010) as an ID photo: nobody is enrolled yet.
        var idNumber = TestIdNumbers.New(Region);
        var content = LocalHostFixture.Multipart(("idNumber", idNumber), ("name", "测试人员"), ("regionCode", Region), ("referenceSource", "id-photo"));
        var photo = new ByteArrayContent(PensionCert.Tests.Shared.SharedFaces.Read("fgnet/048A54.jpg"));
        photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        content.Add(photo, "photo", "photo.jpg");
        using var submitted = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.OperatorKeyHeader, content));
        var body = System.Text.Json.JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(System.Net.HttpStatusCode.Accepted, submitted.StatusCode);
        var pensionerId = body.GetProperty("pensionerId").GetString()!;

        var page = await host.SignInAsync("reviewer", Region, "reviewer-ui-idphoto");
        await page.GetByRole(AriaRole.Link, new() { Name = "审核队列" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = pensionerId });
        await Assertions.Expect(row).ToContainTextAsync("证件照首次登记（双人复核）");
        await row.GetByRole(AriaRole.Button, new() { Name = "查看" }).ClickAsync();
        var detail = page.Locator("#review-detail");
        await Assertions.Expect(detail).ToContainTextAsync("证件照或档案照片");
        // The proposed ID photo, loaded; there is no reference photo yet.
        var image = page.GetByRole(AriaRole.Img, new() { Name = "拟登记的证件照（尚无登记照片）", Exact = true });
        await Assertions.Expect(image).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 100", await image.ElementHandleAsync());
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "登记照片", Exact = true })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "认领此案件" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("已认领");
        await page.GetByLabel("通过：确认是本人，资格认证有效").CheckAsync();
        await page.GetByLabel("备注（可选）").FillAsync("与档案照片核对一致");
        await page.GetByRole(AriaRole.Button, new() { Name = "提交决定" }).ClickAsync();
        await Assertions.Expect(detail).ToContainTextAsync("决定已提交：已通过");

        var enrolled = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader);
        Assert.Equal("id-photo", enrolled.GetProperty("referenceSource").GetString());
        Assert.Equal(1, enrolled.GetProperty("referenceVersion").GetInt32());
        await page.Context.CloseAsync();
    }

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

    [Fact]
    public async Task Clerk_CertifiesAtTheCounterThroughTheWebcam_SeesTheApprovalArrive_AndThePanelsStandingBecomesValid()
    {
        var (pensionerId, idNumber) = await ConsoleSteps.EnrolAsync(host, Region, Reference);
        var page = await host.SignInAsync("clerk", Region, "clerk-counter-01", cameraPhoto: SamePersonOnCamera);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "柜台与社区认证", Level = 1 })).ToBeFocusedAsync();
        await page.GetByLabel("身份证号码").FillAsync(idNumber);
        await page.GetByRole(AriaRole.Button, new() { Name = "查找" }).ClickAsync();
        await Assertions.Expect(page.Locator("#counter-pensioner")).ToContainTextAsync(pensionerId);
        var standing = page.Locator("#counter-pensioner-state");
        await Assertions.Expect(standing).ToHaveTextAsync("尚未认证");

        await page.GetByLabel("服务点编号").FillAsync("110105-counter-01");
        await page.GetByRole(AriaRole.Button, new() { Name = "开启摄像头" }).ClickAsync();
        var shoot = page.GetByRole(AriaRole.Button, new() { Name = "拍照" });
        await Assertions.Expect(shoot).ToBeEnabledAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('main video')?.videoWidth > 0");
        await shoot.ClickAsync();
        var photo = page.GetByRole(AriaRole.Img, new() { Name = "已拍摄的照片" });
        await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth >= 320", await photo.ElementHandleAsync());

        // Without the ID check confirmed nothing is sent; with it, the decision arrives on screen.
        await page.GetByRole(AriaRole.Button, new() { Name = "提交认证" }).ClickAsync();
        await Assertions.Expect(page.Locator("#counter-result [role=alert]")).ToContainTextAsync("请确认已核验身份证件原件。");
        await page.GetByLabel("我已当面核验本人身份证件原件，照片为本人现场拍摄").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "提交认证" }).ClickAsync();
        var result = page.Locator("#counter-result");
        await Assertions.Expect(result).ToContainTextAsync("认证通过：资格已确认。", new() { Timeout = 120_000 });
        await Assertions.Expect(result).ToContainTextAsync("经办柜台");
        // The pensioner panel above follows the decision: the standing is read again (an approval restarts the year).
        await Assertions.Expect(standing).ToHaveTextAsync("有效");
        var validUntil = (await host.GetJsonAsync($"/api/pensioners/{pensionerId}", LocalHostFixture.OperatorKeyHeader)).GetProperty("validUntil").GetString()!;
        await Assertions.Expect(page.Locator("#counter-pensioner-valid-until")).ToHaveTextAsync(validUntil);
        await ConsoleSteps.AssertAccessibleAsync(page, "counter with the decision");
        await ConsoleSteps.ScreenshotsAsync(host, page, "console-counter-approved");
        Assert.DoesNotContain(idNumber, await page.Locator("main").InnerTextAsync());

        Assert.Equal("Valid", await ConsoleSteps.StateAsync(host, pensionerId));
        await page.Context.CloseAsync();
    }
}
