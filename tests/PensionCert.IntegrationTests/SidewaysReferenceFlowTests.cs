using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A reference photo stored sideways without EXIF (tester6 F12) through the real enrolment API, Azurite and the models:
/// enrolled as the upright face, so the pensioner's ordinary upright selfie is approved afterwards; an upright
/// reference is enrolled exactly as the plain analysis reads it.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class SidewaysReferenceFlowTests(LocalHostFixture host)
{
    private const string Walken1 = "lfw/Christopher_Walken/Christopher_Walken_0001.jpg";
    private const string Walken4 = "lfw/Christopher_Walken/Christopher_Walken_0004.jpg";

    [Fact]
    public async Task Enroll_SidewaysReferenceWithoutExif_EnrolledUprightAndGenuineUprightSelfieApproved()
    {
        ChinaMidnight.WaitIfNear();
        var id = TestIdNumbers.New();
        var sideways = ProbeTransforms.Turned(SharedFaces.Read(Walken1), 90);

        var (status, body) = await EnrollJpegAsync(id, sideways);

        Assert.Equal(HttpStatusCode.Created, status);
        var pensionerId = body.GetProperty("pensionerId").GetString()!;
        var profile = await Repository.GetAsync(pensionerId, CancellationToken.None);
        var upright = await AnalyzeAsync(SharedFaces.Read(Walken1));
        Assert.True(profile!.ReferenceEmbedding.CosineSimilarity(upright.Embedding!) >= 0.95, "the stored template is the upright face's");
        var stored = (await host.Storage.References.GetBlobClient(profile.ReferenceBlobName).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(sideways, stored); // the photo is kept as uploaded

        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Walken4));

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.InRange(decided.GetProperty("similarityScore").GetDouble(), VerificationOptions.DefaultAcceptThreshold, VerificationOptions.DefaultReplayThreshold);
    }

    [Fact]
    public async Task Enroll_UprightReference_TemplateOfThePlainAnalysisAndGenuineSelfieApproved()
    {
        ChinaMidnight.WaitIfNear();
        var id = TestIdNumbers.New();

        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);

        var profile = await Repository.GetAsync(pensionerId, CancellationToken.None);
        var plain = await AnalyzeAsync(SharedFaces.Read(Photos.GenuineReference));
        Assert.True(profile!.ReferenceEmbedding.CosineSimilarity(plain.Embedding!) > 0.9999);
        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
    }

    /// <summary>A re-enrolment (reference change) with a sideways photo of the same person passes the four-eyes check as the upright photo would.</summary>
    [Fact]
    public async Task ReEnroll_SidewaysNewReferenceOfTheSamePerson_ReplacedWithoutSecondOperatorAndSelfieApproved()
    {
        ChinaMidnight.WaitIfNear();
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var sideways = ProbeTransforms.Turned(SharedFaces.Read(Photos.GenuineProbe), 270);

        var (status, body) = await EnrollJpegAsync(id, sideways);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("referenceVersion").GetInt32());
        Assert.False(body.TryGetProperty("pendingReviewCaseId", out var pending) && pending.ValueKind == JsonValueKind.String, "no second operator needed");
        var profile = await Repository.GetAsync(pensionerId, CancellationToken.None);
        var upright = await AnalyzeAsync(SharedFaces.Read(Photos.GenuineProbe));
        Assert.True(profile!.ReferenceEmbedding.CosineSimilarity(upright.Embedding!) >= 0.95);
        var decided = await host.PollDecidedAsync(await host.SubmitOkAsync(id, "deepface/img10.jpg"));
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
    }

    /// <summary>No view of the photo is clearly upright: 422 with a retake reason, and nothing is stored.</summary>
    [Fact]
    public async Task Enroll_SidewaysReferenceWithoutClearOrientation_422FaceOrientationUnclearNothingStored()
    {
        var id = TestIdNumbers.New();
        var sideways = ProbeTransforms.Turned(SharedFaces.Read("asian_faces/Michelle_Chen/114_2.jpg"), 90);
        var before = await host.SnapshotStoredAsync();

        var (status, body) = await EnrollJpegAsync(id, sideways);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("reference-photo-unusable", body.GetProperty("code").GetString());
        var reason = Assert.Single(body.GetProperty("reasons").EnumerateArray());
        Assert.Equal("face-orientation-unclear", reason.GetProperty("code").GetString());
        Assert.Contains("请把照片转正", reason.GetProperty("message").GetString());
        await host.AssertNothingStoredSinceAsync(before);
    }

    private IPensionerRepository Repository => host.App.Services.GetRequiredService<IPensionerRepository>();

    private Task<FaceAnalysis> AnalyzeAsync(byte[] photo) =>
        host.App.Services.GetRequiredService<IFaceAnalyzer>().AnalyzeAsync(photo, FaceAnalysisPurpose.Enrollment, CancellationToken.None);

    private async Task<(HttpStatusCode Status, JsonElement Body)> EnrollJpegAsync(string idNumber, byte[] jpeg)
    {
        using var photo = new ByteArrayContent(jpeg);
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var form = LocalHostFixture.Multipart(("idNumber", idNumber), ("name", "测试人员"), ("regionCode", idNumber[..6]));
        form.Add(photo, "photo", "reference.jpg");
        using var response = await host.Http.SendAsync(LocalHostFixture.Request(HttpMethod.Post, "/api/pensioners", LocalHostFixture.OperatorKeyHeader, form));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
