using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Sessions;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests.Sessions;

/// <summary>
/// The local host on Azurite with a scripted challenge source: a test says which actions its next session asks for
/// (production draws them at random), then drives the session over HTTP like the phone page does.
/// </summary>
public sealed class SessionHostFixture : LocalHostFixture
{
    public ScriptedChallenges Challenges { get; } = new();

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IChallengeSource>(Challenges);

    /// <summary>Enrols a pensioner whose reference photo is <paramref name="reference"/> (JPEG bytes); returns the pensioner id.</summary>
    public async Task<string> EnrollWithPhotoAsync(byte[] reference)
    {
        var idNumber = TestIdNumbers.New();
        var content = Multipart(("idNumber", idNumber), ("name", "测试人员"), ("regionCode", idNumber[..6]));
        var photo = new ByteArrayContent(reference);
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(photo, "photo", "reference.jpg");
        using var response = await Http.SendAsync(Request(HttpMethod.Post, "/api/pensioners", OperatorKeyHeader, content));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("pensionerId").GetString()!;
    }

    /// <summary>Creates a session (as the channel's server) that will ask for <paramref name="actions"/>.</summary>
    public async Task<PageSession> CreateSessionAsync(string pensionerId, params ChallengeAction[] actions)
    {
        Challenges.Enqueue(actions);
        using var response = await Http.SendAsync(Request(HttpMethod.Post, "/api/certification-sessions", ClientKeyHeader,
            JsonContent.Create(new { pensionerId, channel = "wechat" })));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var json = JsonDocument.Parse(body).RootElement;
        var challenge = json.GetProperty("challenge");
        Assert.Equal(actions.Select(a => a.ToWireName()), challenge.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        return new PageSession(json.GetProperty("sessionId").GetString()!, json.GetProperty("sessionToken").GetString()!,
            challenge.GetProperty("nonce").GetString()!, json.GetProperty("pageUrl").GetString()!);
    }

    /// <summary>Uploads the frames of one step as the page does.</summary>
    public async Task<HttpResponseMessage> UploadAsync(PageSession session, int step, IEnumerable<byte[]> frames, string? nonce = null)
    {
        var content = Multipart(("nonce", nonce ?? session.Nonce), ("step", step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var i = 0;
        foreach (var frame in frames)
        {
            var part = new ByteArrayContent(frame);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            content.Add(part, "frame", $"f{i++}.jpg");
        }
        var request = Request(HttpMethod.Post, "/api/page/session/frames", null, content);
        request.Headers.Add("X-Session-Token", session.Token);
        return await Http.SendAsync(request);
    }

    public async Task UploadOkAsync(PageSession session, int step, IEnumerable<byte[]> frames)
    {
        using var response = await UploadAsync(session, step, frames);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<HttpResponseMessage> SubmitSessionAsync(PageSession session)
    {
        var request = Request(HttpMethod.Post, "/api/page/session/submit", null, JsonContent.Create(new { nonce = session.Nonce }));
        request.Headers.Add("X-Session-Token", session.Token);
        return await Http.SendAsync(request);
    }

    /// <summary>Uploads every step, submits, waits for the decision and returns the certification JSON.</summary>
    public async Task<JsonElement> RunAsync(PageSession session, params IEnumerable<byte[]>[] steps)
    {
        for (var i = 0; i < steps.Length; i++) await UploadOkAsync(session, i, steps[i]);
        using var submitted = await SubmitSessionAsync(session);
        var body = await submitted.Content.ReadAsStringAsync();
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, body);
        return await PollDecidedAsync(JsonDocument.Parse(body).RootElement.GetProperty("certificationId").GetString()!);
    }

    /// <summary>What the page reads with its token.</summary>
    public async Task<JsonElement> PageViewAsync(PageSession session)
    {
        var request = Request(HttpMethod.Get, "/api/page/session", null);
        request.Headers.Add("X-Session-Token", session.Token);
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

/// <summary>A session as the page holds it.</summary>
public sealed record PageSession(string SessionId, string Token, string Nonce, string PageUrl);

[CollectionDefinition(Name)]
public sealed class SessionHostCollection : ICollectionFixture<SessionHostFixture>
{
    public const string Name = "local host with scripted challenges";
}
