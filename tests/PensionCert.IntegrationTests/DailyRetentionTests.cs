using System.Globalization;
using System.Net;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Operators;
using PensionCert.Core.Retention;
using PensionCert.Core.Review;
using PensionCert.Core.Sessions;
using PensionCert.IntegrationTests.FourEyes;

namespace PensionCert.IntegrationTests;

/// <summary>
/// The daily retention run (timer PurgeExpiredSelfies) on the local host's storage (Azurite): orphan pending reference
/// photos — the state a crash between the upload and its pending-enrolment row or review case leaves, created here
/// directly in storage — are deleted after the grace period while every kept pending photo stays; past days' phone-page
/// session counts are deleted while today's and yesterday's, and the failed-attempt rows beside them, stay.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class DailyRetentionTests(LocalHostFixture host)
{
    private const string Region = "110114";
    private readonly FourEyesClient _client = new(host, Region);

    private T Service<T>() where T : notnull => host.App.Services.GetRequiredService<T>();

    [Fact]
    public async Task OrphanPendingPhotos_DeletedAfterTheGracePeriod_KeptOnesAndRecentOnesStay()
    {
        var index = Service<IPendingPhotoUploadIndex>();
        var longAgo = DateTimeOffset.UtcNow.AddHours(-25); // PendingPhotoGraceHours is 24
        var photo = FourEyesClient.Photo("fgnet/048A54.jpg");

        // Kept: a real ID-photo enrolment waiting for its case, and a real reference change waiting for a second operator.
        using var held = await _client.EnrollAsync(TestIdNumbers.New(Region), photo, _client.Operator(OperatorRole.Clerk, "clerk-idphoto"), extra: ("referenceSource", "id-photo"));
        var heldCase = (await Service<IReviewCaseStore>().GetAsync((await FourEyesClient.JsonAsync(held, HttpStatusCode.Accepted)).GetProperty("pendingReviewCaseId").GetString()!, CancellationToken.None))!;
        var idNumber = TestIdNumbers.New(Region);
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-reenrols");
        using (var enrolled = await _client.EnrollAsync(idNumber, FourEyesClient.Photo(Photos.GenuineReference), clerk))
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        using var change = await _client.EnrollAsync(idNumber, FourEyesClient.Photo(Photos.Impostor), clerk);
        var changeCase = (await Service<IReviewCaseStore>().GetAsync((await FourEyesClient.JsonAsync(change, HttpStatusCode.Accepted)).GetProperty("pendingReviewCaseId").GetString()!, CancellationToken.None))!;
        // Both uploads were recorded before they started.
        var recorded = (await index.ListBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000, CancellationToken.None)).Select(u => u.BlobName).ToHashSet();
        Assert.Contains(heldCase.Subject!, recorded);
        Assert.Contains(changeCase.Subject!, recorded);
        // As if they had been uploaded more than a day ago.
        await index.AddAsync(new PendingPhotoUpload(longAgo, heldCase.PensionerId, Region, heldCase.Subject!, PendingPhotoKinds.IdPhotoEnrollment), CancellationToken.None);
        await index.AddAsync(new PendingPhotoUpload(longAgo, changeCase.PensionerId, Region, changeCase.Subject!, PendingPhotoKinds.ReferenceChange), CancellationToken.None);

        // Orphans, as a crash leaves them: the upload recorded and done, the row or case never written.
        var idPhotoOrphan = await OrphanAsync("p" + Guid.NewGuid().ToString("N"), "e" + Guid.NewGuid().ToString("N"), PendingPhotoKinds.IdPhotoEnrollment, longAgo, photo);
        var changeOrphan = await OrphanAsync(changeCase.PensionerId, Guid.NewGuid().ToString("N"), PendingPhotoKinds.ReferenceChange, longAgo, photo);
        // An orphan of an hour ago may still be an upload whose record is being written: left for a later run.
        var recent = await OrphanAsync("p" + Guid.NewGuid().ToString("N"), "e" + Guid.NewGuid().ToString("N"), PendingPhotoKinds.IdPhotoEnrollment, DateTimeOffset.UtcNow.AddHours(-1), photo);

        var result = await Service<DailyRetention>().RunAsync(CancellationToken.None);

        Assert.True(result.OrphanPhotosDeleted >= 2, $"deleted {result.OrphanPhotosDeleted}");
        Assert.False(await ExistsAsync(idPhotoOrphan));
        Assert.False(await ExistsAsync(changeOrphan));
        Assert.True(await ExistsAsync(recent));
        Assert.True(await ExistsAsync(heldCase.Subject!));
        Assert.True(await ExistsAsync(changeCase.Subject!));
        // The pending enrolment still answers for its photo, and the pensioner's current reference is untouched.
        Assert.Equal(heldCase.Subject, (await Service<IPendingEnrollmentStore>().GetAsync(heldCase.PensionerId, CancellationToken.None))!.PhotoBlobName);
        Assert.True(await ExistsAsync((await _client.Pensioners.GetAsync(changeCase.PensionerId, CancellationToken.None))!.ReferenceBlobName));
        // Every entry older than the grace period was checked and removed; the recent one waits.
        var left = (await index.ListBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000, CancellationToken.None)).Select(u => (u.BlobName, u.UploadedAt)).ToArray();
        Assert.DoesNotContain(left, u => u.UploadedAt < DateTimeOffset.UtcNow.AddHours(-24));
        Assert.Contains(left, u => u.BlobName == recent);

        // A second run finds nothing more to delete.
        Assert.Equal(0, (await Service<DailyRetention>().RunAsync(CancellationToken.None)).OrphanPhotosDeleted);
        Assert.True(await ExistsAsync(heldCase.Subject!));
    }

    [Fact]
    public async Task SessionCounts_PastDaysPurged_TodayAndYesterdayKept_FailedAttemptRowsUntouched()
    {
        var counts = Service<ISessionCountStore>();
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var today = ChinaTime.Today(TimeProvider.System);
        foreach (var offset in new[] { -40, -2, -1, 0 })
            for (var i = 0; i < 2; i++)
                Assert.True(await counts.RecordAsync(pensionerId, today.AddDays(offset), "s" + Guid.NewGuid().ToString("N"), CancellationToken.None));
        // A failed-attempt row of an old day in the same partition (its layout belongs to the certification store).
        var failedKey = "failed-" + today.AddDays(-40).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "-c" + Guid.NewGuid().ToString("N");
        await host.Storage.Pensioners.UpsertEntityAsync(new TableEntity(pensionerId, failedKey));

        var result = await Service<DailyRetention>().RunAsync(CancellationToken.None);

        Assert.True(result.SessionCountRows >= 4, $"deleted {result.SessionCountRows}");
        Assert.Equal(0, await counts.CountAsync(pensionerId, today.AddDays(-40), CancellationToken.None));
        Assert.Equal(0, await counts.CountAsync(pensionerId, today.AddDays(-2), CancellationToken.None));
        Assert.Equal(2, await counts.CountAsync(pensionerId, today.AddDays(-1), CancellationToken.None));
        Assert.Equal(2, await counts.CountAsync(pensionerId, today, CancellationToken.None));
        Assert.True((await host.Storage.Pensioners.GetEntityIfExistsAsync<TableEntity>(pensionerId, failedKey)).HasValue);
        Assert.NotNull(await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None));
        await host.Storage.Pensioners.DeleteEntityAsync(pensionerId, failedKey);
    }

    /// <summary>Uploads a pending photo and records it, as HoldAsync does before it writes the row or case; returns the blob name.</summary>
    private async Task<string> OrphanAsync(string pensionerId, string suffix, string kind, DateTimeOffset uploadedAt, byte[] photo)
    {
        var blobName = $"{pensionerId}/pending-{suffix}";
        await Service<IPendingPhotoUploadIndex>().AddAsync(new PendingPhotoUpload(uploadedAt, pensionerId, Region, blobName, kind), CancellationToken.None);
        await host.Storage.References.GetBlobClient(blobName).UploadAsync(new BinaryData(photo), overwrite: true);
        return blobName;
    }

    private async Task<bool> ExistsAsync(string blobName) => (await host.Storage.References.GetBlobClient(blobName).ExistsAsync()).Value;
}
