using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;
using SkiaSharp;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>HTTP helpers of the four-eyes tests (enrolment with photo bytes, operators of one region, problem checks).</summary>
internal sealed class FourEyesClient(LocalHostFixture host, string region)
{
    public IPensionerRepository Pensioners => host.App.Services.GetRequiredService<IPensionerRepository>();

    public (string, string) Operator(OperatorRole role, string subject) =>
        ("Authorization", "Bearer " + LocalHostFixture.OperatorToken(role, [region], subject));

    public Task<HttpResponseMessage> EnrollAsync(string idNumber, byte[] photo, (string, string) header, string name = "测试人员", params (string Name, string Value)[] extra)
    {
        var content = LocalHostFixture.Multipart([("idNumber", idNumber), ("name", name), ("regionCode", region), .. extra]);
        var bytes = new ByteArrayContent(photo);
        bytes.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(bytes, "photo", "photo.jpg");
        return host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", header, content));
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body, (string, string) header) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, path, header, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json")));

    public Task<HttpResponseMessage> DeleteAsync(string path, (string, string) header) =>
        host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Delete, path, header));

    /// <summary>Claims and decides a case as <paramref name="reviewer"/>; returns the decision's JSON.</summary>
    public async Task<JsonElement> DecideAsync(string caseId, (string, string) reviewer, object decision)
    {
        using (var claim = await PostAsync($"/api/review-cases/{caseId}/claim", new { }, reviewer))
            Assert.True(claim.StatusCode == HttpStatusCode.OK, await claim.Content.ReadAsStringAsync());
        using var decided = await PostAsync($"/api/review-cases/{caseId}/decision", decision, reviewer);
        return await JsonAsync(decided, HttpStatusCode.OK);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        using (response) await BadInputTests.AssertProblem(response, status, code, code);
    }

    /// <summary>The corpus photo's bytes, after checking it exists (a missing file fails with its path).</summary>
    public static byte[] Photo(string relativePath)
    {
        Assert.True(File.Exists(SharedFaces.PathOf(relativePath)), $"corpus photo {relativePath} is missing");
        return SharedFaces.Read(relativePath);
    }

    /// <summary>
    /// <paramref name="b"/> drawn over <paramref name="a"/> with opacity <paramref name="weightOfB"/> (0..1), scaled to
    /// <paramref name="a"/>'s size, as a JPEG: the morph a fraud walks a reference with.
    /// </summary>
    public static byte[] Blend(string a, string b, double weightOfB)
    {
        using var first = SKImage.FromEncodedData(Photo(a));
        using var second = SKImage.FromEncodedData(Photo(b));
        using var blended = new SKBitmap(new SKImageInfo(first.Width, first.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(blended))
        using (var paint = new SKPaint { Color = SKColors.White.WithAlpha((byte)Math.Round(255 * weightOfB)) })
        {
            var sampling = new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None);
            canvas.DrawImage(first, SKRect.Create(first.Width, first.Height), sampling);
            canvas.DrawImage(second, SKRect.Create(first.Width, first.Height), sampling, paint);
        }
        using var data = blended.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }
}
