using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests;

/// <summary>
/// A copy of the reference photo submitted as the selfie, end to end (local host, queue, real models, Azurite): caught
/// by the near-duplicate test on the aligned face's pixel fingerprint (<see cref="FaceFingerprint"/>) even when
/// recompression moved its embedding below the replay threshold; a genuine different photo still approved; a profile
/// enrolled before fingerprints were kept gets one from its stored reference photo at its next verification.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReplayCopyFlowTests(LocalHostFixture host)
{
    /// <summary>An East-Asian studio photo whose q50 copy scores below the replay threshold by embedding (evaluate --copies).</summary>
    private const string Reference = "asian_faces/Ruco_Chan/115_2.jpg";

    private IPensionerRepository Repository => host.App.Services.GetRequiredService<IPensionerRepository>();

    [Fact]
    public async Task Submit_ReferenceRecompressedAtQ50_NeedsReviewProbeMatchesReference()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Reference);
        Assert.NotNull((await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceFingerprint);
        var copy = PhotoTransforms.Recompress(SharedFaces.Read(Reference), 50);

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, copy));

        Assert.Equal("NeedsReview", decided.GetProperty("status").GetString());
        Assert.Equal(["probe-matches-reference"], Codes(decided));
    }

    [Fact]
    public async Task Submit_GenuineDifferentPhotoOfTheSamePerson_StillApproved()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, SharedFaces.Read(Photos.GenuineProbe)));

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Empty(Codes(decided));
    }

    [Fact]
    public async Task Submit_CopyForProfileEnrolledBeforeFingerprints_FingerprintComputedFromStoredPhoto_CopyCaught_FingerprintStored()
    {
        var id = TestIdNumbers.New();
        var pensionerId = await host.EnrollOkAsync(id, Reference);
        var enrolled = (await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceFingerprint!;
        // The row as it was stored before fingerprints were kept.
        var row = (await host.Storage.Pensioners.GetEntityAsync<TableEntity>(pensionerId, "profile")).Value;
        Assert.True(row.Remove("ReferenceFingerprintProtected"));
        await host.Storage.Pensioners.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        Assert.Null((await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceFingerprint);

        var decided = await host.PollDecidedAsync(await host.SubmitJpegOkAsync(id, PhotoTransforms.Recompress(SharedFaces.Read(Reference), 50)));

        Assert.Equal("NeedsReview", decided.GetProperty("status").GetString());
        Assert.Equal(["probe-matches-reference"], Codes(decided));
        // Stored once the decision is written: the same fingerprint enrolment computed, encrypted.
        FaceFingerprint? stored = null;
        for (var i = 0; i < 100 && stored is null; i++)
        {
            stored = (await Repository.GetAsync(pensionerId, CancellationToken.None))!.ReferenceFingerprint;
            if (stored is null) await Task.Delay(100);
        }
        Assert.NotNull(stored);
        Assert.Equal(enrolled.Grey.ToArray(), stored.Grey.ToArray());
        var protectedValue = (await host.Storage.Pensioners.GetEntityAsync<TableEntity>(pensionerId, "profile")).Value.GetString("ReferenceFingerprintProtected");
        Assert.DoesNotContain(Convert.ToBase64String(enrolled.ToBytes())[..40], protectedValue, StringComparison.Ordinal);
    }

    private static string[] Codes(JsonElement certification) =>
        certification.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToArray();
}
