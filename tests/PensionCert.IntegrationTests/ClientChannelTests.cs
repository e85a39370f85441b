using System.Net;

namespace PensionCert.IntegrationTests;

/// <summary>Per-channel client keys: a key may submit only for the channels configured for it.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ClientChannelTests(LocalHostFixture host)
{
    private const string WeChatKey = "local-wechat-key-0001";

    [Fact]
    public async Task Submit_WeChatKeyAsAlipay_403ChannelNotAllowedAndNothingStored()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();

        using var response = await host.Http.SendAsync(Submit(WeChatKey, id, "alipay"));

        await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "channel-not-allowed", "wechat key, alipay channel");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Submit_WeChatKeyAsAlipay_ChannelAfterPhoto_403AndStagedSelfieDeleted()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();
        var content = LocalHostFixture.Multipart(("idNumber", id)).WithPhoto(Photos.GenuineProbe);
        content.Add(new StringContent("alipay"), "channel");

        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", ("x-functions-key", WeChatKey), content));

        await BadInputTests.AssertProblem(response, HttpStatusCode.Forbidden, "channel-not-allowed", "channel sent after the photo");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Submit_WeChatKeyAsWeChat_Accepted()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        using var response = await host.Http.SendAsync(Submit(WeChatKey, id, "wechat"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("local-wechat-key-0002")]
    [InlineData("")]
    public async Task Submit_UnknownKey_401(string key)
    {
        using var response = await host.Http.SendAsync(Submit(key, TestIdNumbers.New(), "wechat"));
        await BadInputTests.AssertProblem(response, HttpStatusCode.Unauthorized, "unauthorized", "unknown key");
    }

    private static HttpRequestMessage Submit(string key, string idNumber, string channel) =>
        LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", ("x-functions-key", key),
            LocalHostFixture.Multipart(("channel", channel), ("idNumber", idNumber)).WithPhoto(Photos.GenuineProbe));
}
