using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Operators;
using PensionCert.Core.Review;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>
/// A scanned ID or archive photo as a first reference (<c>referenceSource=id-photo</c>): it fails passive liveness, so
/// it enrols nobody by itself; an id-photo-enrollment case waits for another operator, whose approval creates the
/// pensioner (reference version 1, source id-photo); rejection or lapse keeps only the case.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class IdPhotoEnrollmentTests(LocalHostFixture host)
{
    private const string Region = "110114";

    /// <summary>A web photo of one person that the liveness model scores 0.0012 (not live), standing in for a scanned ID photo.</summary>
    private const string IdPhotoOfChen = "asian_faces/Edison_Chen/103_10.jpg";

    /// <summary>A live photo of the same person (liveness 0.996, similarity 0.76 to the one above): a genuine selfie.</summary>
    private const string SelfieOfChen = "asian_faces/Edison_Chen/103_7.jpg";

    /// <summary>FG-NET scanned prints (subject 048 at 54 and 46; liveness 0.0010 and 0.0024).</summary>
    private const string ScannedPrint = "fgnet/048A54.jpg";
    private const string OtherScannedPrint = "fgnet/048A46.jpg";

    private readonly FourEyesClient _client = new(host, Region);

    private IPendingEnrollmentStore PendingEnrollments => host.App.Services.GetRequiredService<IPendingEnrollmentStore>();

    [Fact]
    public async Task IdPhoto_OpensACaseAndEnrolsNobody_SubmitterCannotApprove_SecondOperatorEnrols_ThenALiveSelfieCertifies()
    {
        var id = TestIdNumbers.New(Region);
        var submitter = _client.Operator(OperatorRole.Admin, "admin-archive");
        var photo = FourEyesClient.Photo(IdPhotoOfChen);

        using var response = await _client.EnrollAsync(id, photo, submitter, "陈冠希", ("referenceSource", "id-photo"));
        var body = await FourEyesClient.JsonAsync(response, HttpStatusCode.Accepted);
        var caseId = body.GetProperty("pendingReviewCaseId").GetString()!;
        var pensionerId = body.GetProperty("pensionerId").GetString()!;
        Assert.StartsWith(Region + "-e", caseId, StringComparison.Ordinal);
        Assert.Equal(0, body.GetProperty("referenceVersion").GetInt32());
        Assert.False(body.GetProperty("created").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("enrolledAt").ValueKind);
        Assert.Equal($"/api/review-cases/{caseId}", response.Headers.Location?.OriginalString);
        // Nothing is enrolled: no profile, and a certification of this ID number finds nobody.
        Assert.Null(await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None));
        using (var early = await host.SubmitAsync(id, SelfieOfChen))
            await FourEyesClient.AssertProblemAsync(early, HttpStatusCode.NotFound, "pensioner-not-found");

        // The reviewer sees the case with the proposed photo (there is no current reference yet).
        var reviewer = _client.Operator(OperatorRole.Reviewer, "reviewer-archive");
        var details = await host.GetJsonAsync($"/api/review-cases/{caseId}", reviewer);
        Assert.Equal("id-photo-enrollment", details.GetProperty("case").GetProperty("reason").GetString());
        Assert.Equal("admin-archive", details.GetProperty("case").GetProperty("submittedBy").GetString());
        Assert.Equal("id-photo", details.GetProperty("case").GetProperty("referenceSource").GetString());
        Assert.Equal(new[] { "probe" }, details.GetProperty("photos").EnumerateArray().Select(p => p.GetProperty("kind").GetString()).ToArray());
        using (var probe = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Get, $"/api/review-cases/{caseId}/photos/probe", reviewer)))
            Assert.Equal(photo, await probe.Content.ReadAsByteArrayAsync());

        // The submitter may not approve it (four-eyes), even as an admin.
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/review-cases/{caseId}/claim", new { }, submitter), HttpStatusCode.Forbidden, "review-conflict-of-interest");
        Assert.Null(await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None));

        var decided = await _client.DecideAsync(caseId, reviewer, new { decision = "approve", note = "与档案照片核对一致" });
        Assert.Equal("approved", decided.GetProperty("state").GetString());
        var profile = await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None);
        Assert.NotNull(profile);
        Assert.Equal(1, profile.ReferenceVersion);
        Assert.Equal(ReferenceSources.IdPhoto, profile.ReferenceSource);
        Assert.Equal("陈冠希", profile.Name);
        Assert.Equal(id, profile.IdNumber);
        Assert.Equal(new[] { "admin-archive", "reviewer-archive" }, profile.ReferenceChangedBy.ToArray());
        Assert.NotNull(profile.ValidUntil);
        Assert.Null(await PendingEnrollments.GetAsync(pensionerId, CancellationToken.None));
        var shown = await host.GetJsonAsync($"/api/pensioners/{pensionerId}", reviewer);
        Assert.Equal("id-photo", shown.GetProperty("referenceSource").GetString());
        Assert.Equal(1, shown.GetProperty("referenceVersion").GetInt32());
        // The audit trail names the submission and the decision.
        var audit = (await host.GetJsonAsync($"/api/pensioners/{pensionerId}/history", reviewer)).GetProperty("audit").EnumerateArray()
            .Select(e => e.GetProperty("detail").GetString()).ToArray();
        Assert.Contains($"id-photo enrolment pending, case {caseId}", audit);
        Assert.Contains($"case {caseId} decided approved", audit);

        // The same request again (a retry after a lost answer) changes nothing: the enrolled pensioner answers.
        using (var retried = await _client.EnrollAsync(id, photo, submitter, "陈冠希", ("referenceSource", "id-photo")))
        {
            var again = await FourEyesClient.JsonAsync(retried, HttpStatusCode.Created);
            Assert.Equal(pensionerId, again.GetProperty("pensionerId").GetString());
            Assert.Equal(1, again.GetProperty("referenceVersion").GetInt32());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, again.GetProperty("pendingReviewCaseId").ValueKind);
        }

        // A genuine live selfie of the same person certifies against the ID photo.
        var certificationId = await host.SubmitOkAsync(id, SelfieOfChen);
        var certification = await host.PollDecidedAsync(certificationId);
        Assert.Equal("Approved", certification.GetProperty("status").GetString());
        Assert.InRange(certification.GetProperty("similarityScore").GetDouble(), 0.45, 0.985);

        // The ID photo itself, submitted as a selfie, is not a certification: a print fails liveness (the replay check
        // probe-matches-reference stays behind it for anything that passes liveness).
        var replayId = await host.SubmitOkAsync(id, IdPhotoOfChen);
        var replay = await host.PollDecidedAsync(replayId);
        Assert.NotEqual("Approved", replay.GetProperty("status").GetString());
        Assert.Contains(replay.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() is "face-not-live" or "probe-matches-reference");
    }

    [Fact]
    public async Task IdPhoto_RetryAnswersTheSameCase_AnotherPhotoIs409_RejectedKeepsOnlyTheCase()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-migration");
        var photo = FourEyesClient.Photo(ScannedPrint);

        using var first = await _client.EnrollAsync(id, photo, clerk, extra: ("referenceSource", "id-photo"));
        var opened = await FourEyesClient.JsonAsync(first, HttpStatusCode.Accepted);
        var caseId = opened.GetProperty("pendingReviewCaseId").GetString()!;
        var pensionerId = opened.GetProperty("pensionerId").GetString()!;

        using (var retry = await _client.EnrollAsync(id, photo, clerk, extra: ("referenceSource", "id-photo")))
        {
            var again = await FourEyesClient.JsonAsync(retry, HttpStatusCode.Accepted);
            Assert.Equal(caseId, again.GetProperty("pendingReviewCaseId").GetString());
            Assert.Equal(pensionerId, again.GetProperty("pensionerId").GetString());
        }
        await FourEyesClient.AssertProblemAsync(
            await _client.EnrollAsync(id, FourEyesClient.Photo(OtherScannedPrint), _client.Operator(OperatorRole.Clerk, "clerk-other"), extra: ("referenceSource", "id-photo")),
            HttpStatusCode.Conflict, "id-photo-enrollment-pending");
        var cases = await host.GetJsonAsync($"/api/review-cases?region={Region}&reason=id-photo-enrollment", _client.Operator(OperatorRole.Reviewer, "reviewer-count"));
        Assert.Single(cases.GetProperty("cases").EnumerateArray(), c => c.GetProperty("pensionerId").GetString() == pensionerId);
        Assert.Single(await ReferenceBlobsAsync(pensionerId));
        var pending = await PendingEnrollments.GetAsync(pensionerId, CancellationToken.None);
        Assert.NotNull(pending);
        Assert.Equal(caseId, pending.CaseId);
        Assert.Equal(id, pending.IdNumber);

        var decided = await _client.DecideAsync(caseId, _client.Operator(OperatorRole.Reviewer, "reviewer-migration"),
            new { decision = "reject", reason = "poor-photo", note = "扫描件模糊，请重新扫描" });
        Assert.Equal("rejected", decided.GetProperty("state").GetString());
        Assert.Null(await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None));
        Assert.Null(await PendingEnrollments.GetAsync(pensionerId, CancellationToken.None));
        Assert.Empty(await ReferenceBlobsAsync(pensionerId));
        var kept = await host.GetJsonAsync($"/api/review-cases/{caseId}", _client.Operator(OperatorRole.Reviewer, "reviewer-migration"));
        Assert.Equal("rejected", kept.GetProperty("case").GetProperty("state").GetString());
        Assert.Equal("clerk-migration", kept.GetProperty("case").GetProperty("submittedBy").GetString());
    }

    [Fact]
    public async Task IdPhoto_NobodyDecides_LapsesAfterConfiguredDays_NothingEnrolled()
    {
        var id = TestIdNumbers.New(Region);
        // JSON this time: referenceSource is a property beside the base64 photo.
        var json = new { idNumber = id, name = "测试人员", regionCode = Region, referenceSource = "id-photo", photo = Convert.ToBase64String(FourEyesClient.Photo("fgnet/039A45.jpg")) };
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", _client.Operator(OperatorRole.Clerk, "clerk-forgot"), JsonContent.Create(json)));
        var body = await FourEyesClient.JsonAsync(response, HttpStatusCode.Accepted);
        var caseId = body.GetProperty("pendingReviewCaseId").GetString()!;
        var pensionerId = body.GetProperty("pensionerId").GetString()!;
        var store = host.App.Services.GetRequiredService<IReviewCaseStore>();
        var review = host.App.Services.GetRequiredService<ReviewService>();

        // 29 days: still within PensionCert:IdPhotoEnrollment:LapseDays (30).
        var stored = (await store.GetAsync(caseId, CancellationToken.None))!;
        stored = await store.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-29) }, CancellationToken.None);
        await review.SweepAsync(CancellationToken.None);
        Assert.Equal(ReviewCaseState.Open, (await store.GetAsync(caseId, CancellationToken.None))!.State);

        stored = (await store.GetAsync(caseId, CancellationToken.None))!;
        await store.UpdateAsync(stored with { OpenedAt = DateTimeOffset.UtcNow.AddDays(-31) }, CancellationToken.None);
        await review.SweepAsync(CancellationToken.None);
        await review.SweepAsync(CancellationToken.None);

        var lapsed = await host.GetJsonAsync($"/api/review-cases/{caseId}", _client.Operator(OperatorRole.Admin, "admin-audit"));
        Assert.Equal("expired", lapsed.GetProperty("case").GetProperty("state").GetString());
        Assert.Equal("system", lapsed.GetProperty("case").GetProperty("decidedBy").GetString());
        Assert.Null(await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None));
        Assert.Null(await PendingEnrollments.GetAsync(pensionerId, CancellationToken.None));
        Assert.Empty(await ReferenceBlobsAsync(pensionerId));
    }

    [Fact]
    public async Task LiveCaptureDefault_RefusesAScannedPrint422_AndBadSourceOrFacelessIdPhotoStoreNothing()
    {
        var id = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-counter");
        var before = await host.SnapshotStoredAsync();

        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(ScannedPrint), clerk), HttpStatusCode.UnprocessableEntity, "reference-not-live");
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(ScannedPrint), clerk, extra: ("referenceSource", "live-capture")),
            HttpStatusCode.UnprocessableEntity, "reference-not-live");
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(ScannedPrint), clerk, extra: ("referenceSource", "scan")),
            HttpStatusCode.BadRequest, "invalid-reference-source");
        // The quality gates still apply to an ID photo.
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.NoFace), clerk, extra: ("referenceSource", "id-photo")),
            HttpStatusCode.UnprocessableEntity, "reference-photo-unusable");

        await host.AssertNothingStoredSinceAsync(before);
    }

    private async Task<List<string>> ReferenceBlobsAsync(string pensionerId)
    {
        var names = new List<string>();
        await foreach (var blob in host.Storage.References.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, pensionerId + "/", CancellationToken.None)) names.Add(blob.Name);
        return names;
    }
}
