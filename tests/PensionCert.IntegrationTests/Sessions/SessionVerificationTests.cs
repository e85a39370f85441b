using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Faces;
using PensionCert.Core.Sessions;
using PensionCert.Tests.Shared;
using static PensionCert.Core.Sessions.ChallengeAction;

namespace PensionCert.IntegrationTests.Sessions;

/// <summary>
/// Server-side action liveness on real recordings (<c>shared/liveness</c>, frames taken with ffmpeg at test time), through
/// the whole path: session over HTTP, frames to Blob storage, the queue, the worker's models, the decision.
/// Frame times follow what fr_pose and the landmarks read on the clips (PensionCert.Tools read-frames; README).
/// </summary>
[Collection(SessionHostCollection.Name)]
public sealed class SessionVerificationTests(SessionHostFixture host)
{
    // The bearded man of turn-left-right_real.webm: frontal, then turning to his right (the image's left, 7-8.6 s).
    private static readonly double[] TurnsRight = [5.62, 6.62, 7.12, 7.62, 7.88, 8.12, 8.38];
    // Frontal at 9.1 s, then turning to his left (the image's right, 9.9-10.4 s), frontal again at 12 s.
    private static readonly double[] TurnsLeft = [9.12, 9.88, 10.12, 10.38, 12.12, 12.62];

    private static byte[][] Real(double[] times) => LivenessClips.FramesAt(LivenessClips.TurnReal, times);

    private Task<string> EnrollBeardedManAsync() => host.EnrollWithPhotoAsync(File.ReadAllBytes(Path.Combine(LivenessClips.Root, "frames", "turn_frontal_t01.0.jpg")));

    private static string[] ReasonCodes(JsonElement certification) =>
        certification.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();

    [Fact]
    public async Task Session_FramesInTheChallengesOrder_Approved()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);

        var decided = await host.RunAsync(session, Real(TurnsRight), Real(TurnsLeft));

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Empty(ReasonCodes(decided));
        Assert.True(decided.GetProperty("similarityScore").GetDouble() >= decided.GetProperty("threshold").GetDouble());
        // The best frontal frame is kept as the probe image for review and retention; the burst itself is deleted.
        var certificationId = decided.GetProperty("certificationId").GetString()!;
        Assert.True(await host.Storage.AnySelfieOfAsync(certificationId));
        // The worker deletes the burst right after writing the decision: poll briefly for it.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await ToListAsync(host.Storage.SessionFrames.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = session.SessionId + "/" }))).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the session's frames were not deleted after the decision");
            await Task.Delay(100);
        }
        var view = await host.PageViewAsync(session);
        Assert.Equal("submitted", view.GetProperty("state").GetString());
        Assert.Equal("Approved", view.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Session_TurnsInTheWrongOrder_RejectedWrongOrder()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnLeft, TurnRight);

        var decided = await host.RunAsync(session, Real(TurnsRight), Real(TurnsLeft));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["action-wrong-order"], ReasonCodes(decided));
    }

    [Fact]
    public async Task Session_EyesMoveButHeadStaysStill_RejectedActionNotSeen()
    {
        var pensionerId = await host.EnrollWithPhotoAsync(LivenessClips.Frame(LivenessClips.GazeOnly, 1.0));
        var session = await host.CreateSessionAsync(pensionerId, TurnLeft, TurnRight);

        var decided = await host.RunAsync(session,
            LivenessClips.FramesAt(LivenessClips.GazeOnly, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5),
            LivenessClips.FramesAt(LivenessClips.GazeOnly, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["action-not-seen"], ReasonCodes(decided));
    }

    [Fact]
    public async Task Session_AnotherPersonsFaceMixedIn_RejectedPersonChanged()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        var someoneElse = LivenessClips.CorpusPhotoAsFrame("face_recognition/obama.jpg");
        var left = Real(TurnsLeft).ToList();
        left.Insert(0, someoneElse);

        var decided = await host.RunAsync(session, Real(TurnsRight), left);

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["person-changed"], ReasonCodes(decided));
    }

    [Fact]
    public async Task Session_OneFrameRepeated_RejectedActionNotSeen()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        var still = Real([9.12])[0];

        var decided = await host.RunAsync(session, Enumerable.Repeat(still, 6), Enumerable.Repeat(still, 6));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["action-not-seen"], ReasonCodes(decided));
    }

    [Fact]
    public async Task Session_VideoReplayedOnAPhone_RejectedNotLive()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        // The replay shows the same man; the frames where its face is found (2-6 s) are held up still on a phone screen.
        var replay = LivenessClips.FramesAt(LivenessClips.TurnReplayedOnPhone, 2.38, 2.88, 3.12, 3.38, 4.12, 4.38);
        var replayLater = LivenessClips.FramesAt(LivenessClips.TurnReplayedOnPhone, 4.88, 5.12, 5.62, 6.12);

        var decided = await host.RunAsync(session, replay, replayLater);

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        var reasons = ReasonCodes(decided);
        Assert.Equal(["face-not-live", "action-not-seen"], reasons);
        Assert.True(decided.GetProperty("livenessScore").GetDouble() < 0.005);
    }

    [Fact]
    public async Task Session_SubmittedTwice_SecondRefusedAlreadyUsed()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        await host.UploadOkAsync(session, 0, Real(TurnsRight));
        await host.UploadOkAsync(session, 1, Real(TurnsLeft));
        using (var first = await host.SubmitSessionAsync(session))
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var again = await host.SubmitSessionAsync(session);
        using var moreFrames = await host.UploadAsync(session, 0, Real(TurnsRight));

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("session-already-used", await ProblemCodeAsync(again));
        Assert.Equal(HttpStatusCode.Conflict, moreFrames.StatusCode);
        Assert.Equal("session-already-used", await ProblemCodeAsync(moreFrames));
    }

    [Fact]
    public async Task Session_Expired_UploadRefusedAndPageShowsExpired()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        await ExpireAsync(session, DateTimeOffset.UtcNow.AddSeconds(-1));

        using var upload = await host.UploadAsync(session, 0, Real(TurnsRight));
        var view = await host.PageViewAsync(session);

        Assert.Equal(HttpStatusCode.Conflict, upload.StatusCode);
        Assert.Equal("session-expired", await ProblemCodeAsync(upload));
        Assert.Equal("expired", view.GetProperty("state").GetString());
        Assert.Equal("session-expired", view.GetProperty("reasons")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Session_AbandonedAndExpired_PurgedWithItsFrames()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);
        await host.UploadOkAsync(session, 0, Real(TurnsRight));
        await ExpireAsync(session, DateTimeOffset.UtcNow.AddDays(-1));

        var purged = await host.App.Services.GetRequiredService<CertificationSessionService>().PurgeExpiredAsync(CancellationToken.None);

        Assert.True(purged >= 1);
        Assert.Empty(await ToListAsync(host.Storage.SessionFrames.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = session.SessionId + "/" })));
        Assert.False((await host.Storage.CertificationSessions.GetEntityIfExistsAsync<TableEntity>(session.SessionId, "session")).HasValue);
        var request = LocalHostFixture.Request(HttpMethod.Get, "/api/page/session", null);
        request.Headers.Add("X-Session-Token", session.Token);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Session_WrongNonceOrToken_Refused()
    {
        var pensionerId = await EnrollBeardedManAsync();
        var session = await host.CreateSessionAsync(pensionerId, TurnRight, TurnLeft);

        using var badNonce = await host.UploadAsync(session, 0, Real([9.12]), nonce: new string('0', 32));
        using var badToken = await host.UploadAsync(session with { Token = session.SessionId + "." + new string('a', 64) }, 0, Real([9.12]));

        Assert.Equal("session-nonce-mismatch", await ProblemCodeAsync(badNonce));
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        Assert.Equal("session-token-invalid", await ProblemCodeAsync(badToken));

        // A frame over the size limit sent with no token, or with one not shaped as a token, is refused as
        // unauthenticated (401) before the frames are read, not as an invalid frame (400).
        var oversized = File.ReadAllBytes(SharedFaces.PathOf("deepface/img4.jpg"));
        Assert.True(oversized.Length > 200_000);
        foreach (var token in new[] { "", "garbage" })
        {
            using var refused = await host.UploadAsync(session with { Token = token }, 0, [oversized]);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("session-token-invalid", await ProblemCodeAsync(refused));
        }
    }

    [Fact]
    public void Blink_OnTheEyesClip_SeenOnlyWhereEyesCloseAndOpen()
    {
        var analyzer = host.App.Services.GetRequiredService<IActionFrameAnalyzer>();
        var verifier = host.App.Services.GetRequiredService<ActionLivenessVerifier>();
        FrameReading[] Read(string clip, params double[] times) =>
            LivenessClips.FramesAt(clip, times).Select(f => analyzer.ReadAsync(f, CancellationToken.None).GetAwaiter().GetResult()).ToArray();

        var blink = Read(LivenessClips.EyesOpenClosed, 5.0, 5.5, 6.2, 6.8, 8.6);
        var eyesClosedThroughout = Read(LivenessClips.EyesOpenClosed, 6.2, 6.8, 7.4);
        var gazeOnly = Read(LivenessClips.GazeOnly, 5.0, 6.0, 7.0, 8.0);

        Assert.True(verifier.Shows(blink, Blink));
        Assert.False(verifier.Shows(eyesClosedThroughout, Blink));
        Assert.False(verifier.Shows(gazeOnly, Blink));
        Assert.False(verifier.Shows(blink, TurnLeft));
        Assert.False(verifier.Shows(blink, TurnRight));
    }

    [Fact]
    public async Task PhonePage_ServedAtH5AndUnderTheRoutePrefix_WithoutCachingOrReferrer()
    {
        foreach (var path in new[] { "/h5/", "/api/h5/" })
        {
            using var page = await host.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("养老金资格认证", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("connect-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            using var script = await host.Http.GetAsync(path + "h5.js");
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        }
        using var noSlash = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Http.BaseAddress }.GetAsync("/h5");
        Assert.Equal(HttpStatusCode.Redirect, noSlash.StatusCode);
        Assert.Equal("/h5/", noSlash.Headers.Location?.OriginalString);
    }

    private async Task ExpireAsync(PageSession session, DateTimeOffset at)
    {
        var row = (await host.Storage.CertificationSessions.GetEntityAsync<TableEntity>(session.SessionId, "session")).Value;
        row["ExpiresAt"] = at;
        await host.Storage.CertificationSessions.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
    }

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}
