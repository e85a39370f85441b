using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using PensionCert.Core.Definitions;
using PensionCert.Core.Faces;

namespace PensionCert.IntegrationTests;

/// <summary>Enrol, submit, poll: the whole flow through HTTP on the local host, the queue and the real models.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class CertificationFlowTests(LocalHostFixture host)
{
    [Fact]
    public async Task Health_StorageAndModelsReady_Returns200()
    {
        var json = await host.GetJsonAsync("/api/health", ("x-unused", "-"));
        Assert.Equal("Healthy", json.GetProperty("status").GetString());
        Assert.Equal(0, json.GetProperty("missing").GetArrayLength());
    }

    [Fact]
    public async Task Submit_GenuinePair_ApprovedAndEligibilityValidForOneYear()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        Assert.DoesNotContain(id, pensionerId);

        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        var decided = await host.PollDecidedAsync(certificationId);

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        var similarity = decided.GetProperty("similarityScore").GetDouble();
        var threshold = decided.GetProperty("threshold").GetDouble();
        Assert.Equal(VerificationOptions.DefaultAcceptThreshold, threshold);
        Assert.True(similarity >= threshold, $"similarity {similarity} < threshold {threshold}");
        Assert.True(decided.GetProperty("livenessScore").GetDouble() >= VerificationOptions.DefaultLivenessReviewThreshold);
        Assert.Equal(0, decided.GetProperty("reasons").GetArrayLength());

        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Valid", eligibility.GetProperty("state").GetString());
        var certifiedOn = DateOnly.Parse(eligibility.GetProperty("lastCertifiedOn").GetString()!);
        Assert.Equal(certifiedOn.AddYears(1), DateOnly.Parse(eligibility.GetProperty("validUntil").GetString()!));
    }

    [Fact]
    public async Task Submit_Impostor_RejectedAsMismatchAndEligibilityUnchanged()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);

        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.Impostor));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal(["face-mismatch"], Codes(decided));
        Assert.True(decided.GetProperty("similarityScore").GetDouble() < VerificationOptions.DefaultReviewThreshold);
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("NeverCertified", eligibility.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(Photos.NoFace, "no-face")]
    [InlineData(Photos.MultipleFaces, "multiple-faces")]
    public async Task Submit_UnusablePhoto_RejectedWithReasonAndNoScore(string photo, string reason)
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);

        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, photo));

        Assert.Equal("Rejected", decided.GetProperty("status").GetString());
        Assert.Equal([reason], Codes(decided));
        Assert.Equal(JsonValueKind.Null, decided.GetProperty("similarityScore").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(decided.GetProperty("reasons")[0].GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Submit_ByPensionerIdAsJsonWithBase64Photo_Approved()
    {
        var id = TestIdNumbers.New();
        using var enrol = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.OperatorKeyHeader,
            Json(new { idNumber = id, name = "李四", regionCode = "110105", photo = Convert.ToBase64String(Tests.Shared.SharedFaces.Read(Photos.GenuineReference)) })));
        Assert.Equal(HttpStatusCode.Created, enrol.StatusCode);
        var pensionerId = JsonDocument.Parse(await enrol.Content.ReadAsStringAsync()).RootElement.GetProperty("pensionerId").GetString()!;

        using var submit = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader,
            Json(new { pensionerId, channel = "alipay", photo = "data:image/jpeg;base64," + Convert.ToBase64String(Tests.Shared.SharedFaces.Read(Photos.GenuineProbe)) })));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var certificationId = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!;
        Assert.Equal($"/{Routes.Prefix}/certifications/{certificationId}", submit.Headers.Location?.ToString());

        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Equal("alipay", decided.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Submit_ExifRotatedSelfieOfEnrolledPerson_UprightAndApproved()
    {
        // Enrolled with one photo; the selfie is another photo of the same person whose pixels are stored sideways with
        // EXIF orientation 6, as phone cameras write them. Read sideways, the face is not found or does not match.
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        using var upright = SkiaSharp.SKBitmap.Decode(Tests.Shared.SharedFaces.Read(Photos.GenuineProbe));
        var sideways = Tests.Shared.JpegExif.StoreWithOrientation(upright, 6);

        using var photo = new ByteArrayContent(sideways);
        photo.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        var form = LocalHostFixture.Multipart(("channel", "wechat"), ("idNumber", id));
        form.Add(photo, "photo", "rotated.jpg");
        using var submit = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/certifications", LocalHostFixture.ClientKeyHeader, form));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var decided = await host.PollDecidedAsync(JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!);

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        var similarity = decided.GetProperty("similarityScore").GetDouble();
        Assert.InRange(similarity, VerificationOptions.DefaultAcceptThreshold, VerificationOptions.DefaultReplayThreshold);
    }

    [Fact]
    public async Task Enroll_SameIdNumberTwice_SamePensionerNewReferenceVersionHistoryKept()
    {
        var id = TestIdNumbers.New();
        var first = await host.EnrollOkAsync(id, Photos.GenuineReference);

        using var again = await host.EnrollAsync(id, "测试人员", "110105", Photos.GenuineProbe);
        var body = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, body.GetProperty("pensionerId").GetString());
        Assert.Equal(2, body.GetProperty("referenceVersion").GetInt32());
        Assert.False(body.GetProperty("created").GetBoolean());
        var history = await host.App.Services.GetRequiredService<Core.Storage.IPensionerRepository>().GetReferenceHistoryAsync(first, CancellationToken.None);
        var superseded = Assert.Single(history);
        Assert.Equal(1, superseded.ReferenceVersion);
        Assert.True((await host.Storage.References.GetBlobClient(superseded.ReferenceBlobName).ExistsAsync()).Value, "the superseded reference photo is kept");
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyAndBody_SameCertificationNoSecondJob()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var key = Guid.NewGuid().ToString();

        using var first = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key);
        var firstId = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("certificationId").GetString()!;
        await host.PollDecidedAsync(firstId);
        var before = await host.SnapshotStoredAsync();
        using var second = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key);
        var secondBody = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(firstId, secondBody.GetProperty("certificationId").GetString());
        Assert.Equal("Approved", secondBody.GetProperty("status").GetString());
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyDifferentPhoto_Conflict409AndNothingStored()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var key = Guid.NewGuid().ToString();
        using var first = await host.SubmitAsync(id, Photos.GenuineProbe, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var before = await host.SnapshotStoredAsync();

        using var second = await host.SubmitAsync(id, Photos.Impostor, idempotencyKey: key);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("idempotency-key-reused", JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        await host.AssertNothingStoredSinceAsync(before);
    }

    [Fact]
    public async Task Enroll_SameIdNumberConcurrently_NoServerErrorAndEveryStoredReferenceIsItsOwnPhoto()
    {
        var id = TestIdNumbers.New();
        string[] photos = [Photos.GenuineReference, Photos.Impostor];
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => host.EnrollAsync(id, "并发测试", "110105", photos[i % 2])));

        // A different face waits for a second operator (202, four-eyes) instead of replacing the reference.
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        var pensionerIds = new HashSet<string>();
        foreach (var r in responses.Where(r => r.IsSuccessStatusCode))
            pensionerIds.Add(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("pensionerId").GetString()!);
        var pensionerId = Assert.Single(pensionerIds);

        // Every stored reference blob (current and superseded) holds one of the two photos, and the current profile's
        // embedding is the embedding of the photo its blob holds.
        var repository = host.App.Services.GetRequiredService<Core.Storage.IPensionerRepository>();
        var profile = (await repository.GetAsync(pensionerId, CancellationToken.None))!;
        var history = await repository.GetReferenceHistoryAsync(pensionerId, CancellationToken.None);
        Assert.Equal(profile.ReferenceVersion - 1, history.Count);
        var originals = photos.Select(Tests.Shared.SharedFaces.Read).ToArray();
        foreach (var blob in history.Select(h => h.ReferenceBlobName).Append(profile.ReferenceBlobName))
        {
            var stored = (await host.Storage.References.GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Contains(originals, o => o.AsSpan().SequenceEqual(stored));
        }
        var currentPhoto = (await host.Storage.References.GetBlobClient(profile.ReferenceBlobName).DownloadContentAsync()).Value.Content.ToArray();
        var analysis = await host.App.Services.GetRequiredService<IFaceAnalyzer>().AnalyzeAsync(currentPhoto, FaceAnalysisPurpose.Enrollment, CancellationToken.None);
        Assert.True(analysis.Embedding!.CosineSimilarity(profile.ReferenceEmbedding) > 0.999);
    }

    [Fact]
    public async Task Submit_ReferencePhotoItselfAsSelfie_NeedsReviewAsReplay()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);

        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineReference);
        var decided = await host.PollDecidedAsync(certificationId);

        Assert.Equal("NeedsReview", decided.GetProperty("status").GetString());
        Assert.Equal(["probe-matches-reference"], Codes(decided));
        // A replay suspicion opens a review case but no hold: it cannot keep an overdue pensioner from suspension.
        var pensionerId = decided.GetProperty("pensionerId").GetString()!;
        Assert.DoesNotContain(Core.Cycle.CycleService.ReviewHold(certificationId), (await host.ProfileAsync(pensionerId)).OpenHolds);
        Assert.Single(await host.OutboxAsync(pensionerId), e => e.Type == "certification.needs-review");
    }

    private static string[] Codes(JsonElement certification) =>
        certification.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();

    private static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

/// <summary>Marking a pensioner deceased stops everything, face certification included.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class InactivePensionerTests(LocalHostFixture host)
{
    [Fact]
    public async Task Submit_PensionerMarkedDeceased_409PensionerInactiveAndNothingStored()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, ChinaMidnight.Today());
        var before = await host.SnapshotStoredAsync();

        using var response = await host.SubmitAsync(id, Photos.GenuineProbe);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("pensioner-inactive", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        await host.AssertNothingStoredSinceAsync(before);
    }
}
