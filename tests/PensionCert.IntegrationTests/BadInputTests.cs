using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>Bad requests get the right status and problem code, in problem+json, and store nothing.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class BadInputTests(LocalHostFixture host)
{
    private static readonly byte[] HeicHeader = [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c', 0, 0, 0, 0, (byte)'m', (byte)'i', (byte)'f', (byte)'1'];

    public static TheoryData<string, Func<string, HttpContent>, HttpStatusCode, string> SubmissionCases() => new()
    {
        { "missing photo", id => LocalHostFixture.Multipart(("idNumber", id), ("channel", "wechat")), HttpStatusCode.BadRequest, "photo-missing" },
        { "HEIC photo", id => WithBytes(id, "wechat", HeicHeader.Concat(new byte[500]).ToArray()), HttpStatusCode.UnsupportedMediaType, "photo-heic-unsupported" },
        { "text as photo", id => WithBytes(id, "wechat", Encoding.UTF8.GetBytes("this is not an image, just text pretending")), HttpStatusCode.UnsupportedMediaType, "photo-unsupported-format" },
        { "bad checksum", id => WithPhoto(id[..17] + (id[17] == '0' ? '1' : '0'), "wechat"), HttpStatusCode.BadRequest, "invalid-id-number" },
        { "injected characters", id => WithPhoto(id[..10] + "';--" + id[14..], "wechat"), HttpStatusCode.BadRequest, "invalid-id-number" },
        { "unknown channel", id => WithPhoto(id, "fax"), HttpStatusCode.BadRequest, "invalid-channel" },
        { "unknown pensioner", _ => WithPhoto(TestIdNumbers.New(), "wechat"), HttpStatusCode.NotFound, "pensioner-not-found" },
        { "unknown field", id => LocalHostFixture.Multipart(("idNumber", id), ("channel", "app"), ("extra", "x")).WithPhoto(Photos.GenuineProbe), HttpStatusCode.BadRequest, "unknown-field" },
        { "duplicate field", id => LocalHostFixture.Multipart(("idNumber", id), ("channel", "app"), ("channel", "wechat")).WithPhoto(Photos.GenuineProbe), HttpStatusCode.BadRequest, "duplicate-field" },
        { "plain text body", _ => new StringContent("hello"), HttpStatusCode.UnsupportedMediaType, "unsupported-content-type" },
        { "JSON not an object", _ => new StringContent("[1,2]", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "malformed-request" },
        { "JSON wrong type", id => new StringContent($$"""{"idNumber":"{{id}}","channel":7,"photo":"AAAA"}""", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "invalid-field-type" },
        { "JSON bad base64", id => new StringContent($$"""{"idNumber":"{{id}}","channel":"app","photo":"@@@notbase64@@@"}""", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "photo-invalid-base64" },
        { "truncated multipart", id => Truncated(id), HttpStatusCode.BadRequest, "malformed-request" },
        { "both identifiers", id => LocalHostFixture.Multipart(("idNumber", id), ("pensionerId", "p0123456789abcdef0123456789abcdef"), ("channel", "app")).WithPhoto(Photos.GenuineProbe), HttpStatusCode.BadRequest, "conflicting-identifiers" },
        { "JSON lone surrogate", id => new StringContent($$"""{"idNumber":"{{id}}","channel":"\ud800","photo":"AAAA"}""", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "invalid-field-type" },
        { "JSON invalid UTF-8", id => InvalidUtf8Json(id), HttpStatusCode.BadRequest, "invalid-field-type" },
        { "JSON lone surrogate in a name", _ => new StringContent("""{"\udc00":"x"}""", Encoding.UTF8, "application/json"), HttpStatusCode.BadRequest, "malformed-request" },
    };

    [Theory]
    [MemberData(nameof(SubmissionCases))]
    public async Task Submit_BadInput_ProblemAndNothingStored(string name, Func<string, HttpContent> content, HttpStatusCode status, string code)
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();

        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, content(id)));

        await AssertProblem(response, status, code, name);
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Submit_PhotoOverTenMegabytes_413AndNothingStored()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var before = await host.SnapshotStoredAsync();
        var big = SharedFaces.Read(Photos.GenuineProbe).Concat(new byte[11 * 1024 * 1024]).ToArray();

        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, WithBytes(id, "wechat", big)));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "photo-too-large", "11 MB");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Submit_NoClientKey_401()
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", null, WithPhoto(TestIdNumbers.New(), "app")));
        await AssertProblem(response, HttpStatusCode.Unauthorized, "unauthorized", "no key");
    }

    [Fact]
    public async Task Enroll_ClientKeyInsteadOfOperatorKey_401AndNothingStored()
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.ClientKeyHeader,
            LocalHostFixture.Multipart(("idNumber", TestIdNumbers.New()), ("name", "王五"), ("regionCode", "110105")).WithPhoto(Photos.GenuineReference)));
        await AssertProblem(response, HttpStatusCode.Unauthorized, "operator-unauthorized", "client key on operator route");
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Theory]
    [InlineData(Photos.NoFace, "no-face")]
    [InlineData(Photos.MultipleFaces, "multiple-faces")]
    public async Task Enroll_ReferenceWithoutOneUsableFace_422WithReasonAndNothingStored(string photo, string reason)
    {
        var before = await host.SnapshotStoredAsync();
        using var response = await host.EnrollAsync(TestIdNumbers.New(), "赵六", "110105", photo);
        var json = await AssertProblem(response, HttpStatusCode.UnprocessableEntity, "reference-photo-unusable", photo);
        Assert.Equal(reason, json.GetProperty("reasons")[0].GetProperty("code").GetString());
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Theory]
    [InlineData("name", "", "invalid-name")]
    [InlineData("name", "<script>alert(1)</script>", "invalid-name")]
    [InlineData("regionCode", "99999", "invalid-region-code")]
    [InlineData("regionCode", "990101", "invalid-region-code")]
    public async Task Enroll_InvalidField_400AndNothingStored(string field, string value, string code)
    {
        var fields = new Dictionary<string, string> { ["idNumber"] = TestIdNumbers.New(), ["name"] = "钱七", ["regionCode"] = "110105" };
        fields[field] = value;
        var before = await host.SnapshotStoredAsync();
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.OperatorKeyHeader,
            LocalHostFixture.Multipart(fields.Select(f => (f.Key, f.Value)).ToArray()).WithPhoto(Photos.GenuineReference)));
        await AssertProblem(response, HttpStatusCode.BadRequest, code, $"{field}={value}");
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Theory]
    [InlineData("/api/certifications/cdoesnotexist", "certification-not-found")]
    [InlineData("/api/certifications/c0123456789abcdef0123456789abcdef", "certification-not-found")]
    [InlineData("/api/pensioners/p0123456789abcdef0123456789abcdef/eligibility", "pensioner-not-found")]
    [InlineData("/api/pensioners/'%20or%201=1/eligibility", "pensioner-not-found")]
    [InlineData("/api/nothing-here", "not-found")]
    public async Task Get_Unknown_404Problem(string path, string code)
    {
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, path, LocalHostFixture.ClientKeyHeader));
        await AssertProblem(response, HttpStatusCode.NotFound, code, path);
    }

    internal static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code, string because)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{because}: expected {(int)status}, got {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", json.GetProperty("message").GetString()!);
        return json;
    }

    private static MultipartFormDataContent WithPhoto(string id, string channel) =>
        LocalHostFixture.Multipart(("idNumber", id), ("channel", channel)).WithPhoto(Photos.GenuineProbe);

    private static MultipartFormDataContent WithBytes(string id, string channel, byte[] bytes)
    {
        var content = LocalHostFixture.Multipart(("idNumber", id), ("channel", channel));
        var photo = new ByteArrayContent(bytes);
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(photo, "photo", "selfie.jpg");
        return content;
    }

    /// <summary>A JSON body whose channel value holds the bytes FF FE (not UTF-8).</summary>
    private static HttpContent InvalidUtf8Json(string id)
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"idNumber":"{{id}}","channel":"##","photo":"AAAA"}""");
        var at = Array.IndexOf(bytes, (byte)'#');
        bytes[at] = 0xFF;
        bytes[at + 1] = 0xFE;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A multipart body cut off in the middle of the photo, without its closing boundary.</summary>
    private static HttpContent Truncated(string id)
    {
        var full = WithPhoto(id, "wechat");
        var bytes = full.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var content = new ByteArrayContent(bytes[..(bytes.Length / 2)]);
        content.Headers.ContentType = full.Headers.ContentType;
        return content;
    }
}
