using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests.Faults;

/// <summary>
/// A keyed submission that died after it stored its selfie and claimed its Idempotency-Key, before its message and
/// record: the stale sweep deletes the record-less selfie once StaleAfter has passed, and a retry with the same key
/// afterwards must start afresh with its own photo, not adopt the deleted one (which would end Failed
/// photo-unavailable). Real Azurite, real models, real photos.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class AbandonedKeyTests(FaultFixture f)
{
    [Fact]
    public async Task KeyedRetry_AfterTheSweepDeletedTheAbandonedSelfie_StartsAfreshWithItsOwnPhoto_AndIsApproved()
    {
        // Near real time: the sweep's watermark is shared by every host on this Azurite, and theirs run on real time.
        f.ResetClock(SelfieNames.MinuteStart(DateTimeOffset.UtcNow) - FaultFixture.Start - TimeSpan.FromHours(1));
        f.Faults.Disarm();
        var enrolled = await f.Get<EnrollmentService>().EnrollAsync(
            new EnrollPensionerCommand(TestIdNumbers.New("120105"), "测试人员", "120105", SharedFaces.Read(Photos.GenuineReference)), CancellationToken.None);
        var service = f.Get<CertificationService>();
        var command = new SubmitCertificationCommand(null, enrolled.PensionerId, "wechat", "key-abandoned-" + Guid.NewGuid().ToString("N"), "abandon-client");

        // The first request dies at its queue message: key claimed, selfie stored, no message, no record.
        var first = await StageAsync(service, enrolled.PensionerId);
        f.Faults.Arm(null, FaultMode.Failed);
        await service.SubmitAsync(command with { IdempotencyKey = "key-probe-" + Guid.NewGuid().ToString("N") }, await StageAsync(service, enrolled.PensionerId), null, CancellationToken.None);
        var enqueueAt = f.Faults.Calls.ToList().FindIndex(c => c == "IVerificationQueue.EnqueueAsync") + 1;
        Assert.True(enqueueAt > 0, string.Join(", ", f.Faults.Calls));
        f.Faults.Arm(enqueueAt, FaultMode.Failed);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => service.SubmitAsync(command, first, null, CancellationToken.None));
        f.Faults.Disarm();
        Assert.Null(await f.Get<ICertificationRepository>().GetAsync(first.CertificationId, CancellationToken.None));

        // StaleAfter later the sweep finds the record-less selfie by its minute and deletes it.
        var staleAfter = f.Get<IOptions<CertificationOptions>>().Value.StaleAfter;
        await f.Get<IInFlightCertificationIndex>().SetSweptUntilAsync(SelfieNames.MinuteStart(f.Clock.GetUtcNow()), CancellationToken.None);
        f.Clock.Advance(staleAfter + TimeSpan.FromMinutes(2));
        await f.Get<StaleCertificationSweeper>().SweepAsync(CancellationToken.None);
        Assert.False((await f.Storage.Selfies.GetBlobClient(first.BlobName).ExistsAsync()).Value);

        // The client retries with the same key and photo: a new certification with its own selfie, decided Approved.
        var retry = await StageAsync(service, enrolled.PensionerId);
        var result = await service.SubmitAsync(command, retry, null, CancellationToken.None);
        Assert.False(result.Replayed);
        Assert.Equal(retry.CertificationId, result.Record.CertificationId);
        Assert.True((await f.Storage.Selfies.GetBlobClient(result.Record.SelfieBlobName).ExistsAsync()).Value);
        await f.Get<CertificationProcessor>().ProcessAsync(new VerificationMessage(result.Record.CertificationId), new QueueDelivery(1, f.Clock.GetUtcNow()), CancellationToken.None);
        Assert.Equal(CertificationStatus.Approved, (await f.Get<ICertificationRepository>().GetAsync(result.Record.CertificationId, CancellationToken.None))!.Status);
    }

    private static async Task<StagedPhoto> StageAsync(CertificationService service, string pensionerId)
    {
        await using var photo = File.OpenRead(SharedFaces.PathOf(Photos.GenuineProbe));
        return await service.StagePhotoAsync(photo, pensionerId, CancellationToken.None);
    }
}
