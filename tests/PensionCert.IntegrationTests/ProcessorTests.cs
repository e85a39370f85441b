using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests;

/// <summary>The queue worker's delivery semantics against Azurite: redelivery, last attempt, abandoned messages, encoding.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ProcessorTests(LocalHostFixture host)
{
    private CertificationProcessor Processor => host.App.Services.GetRequiredService<CertificationProcessor>();
    private ICertificationRepository Certifications => host.App.Services.GetRequiredService<ICertificationRepository>();

    [Fact]
    public async Task Process_RedeliveryOfDecidedCertification_ChangesNothing()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);
        await host.PollDecidedAsync(certificationId);
        var decided = await Certifications.GetAsync(certificationId, CancellationToken.None);

        await Processor.ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(2, DateTimeOffset.UtcNow), CancellationToken.None);

        var after = await Certifications.GetAsync(certificationId, CancellationToken.None);
        Assert.Equal(CertificationStatus.Approved, after!.Status);
        Assert.Equal(decided!.ETag, after.ETag);
        Assert.Equal(decided.DecidedAt, after.DecidedAt);
    }

    [Fact]
    public async Task Process_FailureBeforeLastAttempt_ThrowsAndStaysPending_LastAttemptRecordsFailed()
    {
        var (certificationId, _) = await PendingCertificationWithCorruptReferenceAsync();

        // The 4-dimension reference cannot be compared with a 512-dimension probe: FaceEmbedding says so, and nothing else
        // (a null reference or a storage error would be another bug) may stand in for it.
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Processor.ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, DateTimeOffset.UtcNow), CancellationToken.None));
        Assert.Contains("dimensions differ", error.Message);
        Assert.False((await Certifications.GetAsync(certificationId, CancellationToken.None))!.Status.IsDecided());

        await Processor.ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(CertificationOptions.MaxDequeueCount, DateTimeOffset.UtcNow), CancellationToken.None);

        var record = await Certifications.GetAsync(certificationId, CancellationToken.None);
        Assert.Equal(CertificationStatus.Failed, record!.Status);
        Assert.Equal(["processing-failed"], record.ReasonCodes);
        Assert.Equal(CertificationOptions.MaxDequeueCount, record.Attempts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Process_MessageWithSelfieButNoRecord_RetriesWhileYoung_DroppedWhenOldWithItsSelfie(bool dated)
    {
        // A submission that stored its selfie and sent its message, then died before writing its record. Dated: the
        // message names the selfie (today); otherwise the selfie is named by the certification id (queued before that).
        var certificationId = Ids.NewCertificationId();
        var message = dated
            ? new VerificationMessage(certificationId, SelfieBlobName: SelfieNames.For(DateTimeOffset.UtcNow, certificationId))
            : new VerificationMessage(certificationId);
        var selfie = host.Storage.Selfies.GetBlobClient(message.SelfieBlobName ?? certificationId);
        await selfie.UploadAsync(new BinaryData(PensionCert.Tests.Shared.SharedFaces.Read(Photos.GenuineProbe)));

        await Assert.ThrowsAsync<CertificationNotYetVisibleException>(() =>
            Processor.ProcessAsync(message, new QueueDelivery(1, DateTimeOffset.UtcNow), CancellationToken.None));
        Assert.True((await selfie.ExistsAsync()).Value);
        await Processor.ProcessAsync(message, new QueueDelivery(1, DateTimeOffset.UtcNow.AddHours(-1)), CancellationToken.None);

        Assert.Null(await Certifications.GetAsync(message.CertificationId, CancellationToken.None));
        Assert.False((await selfie.ExistsAsync()).Value);
    }

    [Fact]
    public async Task Process_MessageWithNeitherRecordNorSelfie_DroppedOnTheFirstDelivery()
    {
        // What an erasure leaves of a certification whose message was still queued.
        var message = new VerificationMessage(Ids.NewCertificationId());

        await Processor.ProcessAsync(message, new QueueDelivery(1, DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Null(await Certifications.GetAsync(message.CertificationId, CancellationToken.None));
    }

    [Fact]
    public async Task QueueMessage_ProducerEncoding_IsBase64JsonThatTheTriggerDecodes()
    {
        // A private queue so the running trigger does not take the message first.
        var connection = Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "UseDevelopmentStorage=true";
        var raw = new QueueClient(connection, "encoding-" + Guid.NewGuid().ToString("N")[..12], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.CreateAsync();
        try
        {
            var encoded = new QueueClient(connection, raw.Name, new QueueClientOptions { MessageEncoding = StorageClients.QueueMessageEncodingSetting });
            var message = new VerificationMessage(Ids.NewCertificationId());
            await encoded.SendMessageAsync(StorageVerificationQueue.Serialize(message));

            var received = (await raw.ReceiveMessageAsync()).Value;
            var wire = received.Body.ToString();
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(wire));
            Assert.Equal($$"""{"certificationId":"{{message.CertificationId}}"}""", decoded);
            Assert.Equal(message, StorageVerificationQueue.Deserialize(decoded));
        }
        finally
        {
            await raw.DeleteAsync();
        }
    }

    /// <summary>A Pending certification whose pensioner's stored reference embedding has the wrong size, so verification throws.</summary>
    private async Task<(string CertificationId, string PensionerId)> PendingCertificationWithCorruptReferenceAsync()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var profile = (await host.Storage.Pensioners.GetEntityAsync<TableEntity>(pensionerId, "profile")).Value;
        // Written as a row from before templates were encrypted (plain bytes), which still reads.
        profile.Remove("ReferenceEmbeddingProtected");
        profile["ReferenceEmbedding"] = PensionCert.Core.Faces.FaceEmbedding.FromRaw([1f, 0f, 0f, 0f]).ToBytes();
        await host.Storage.Pensioners.UpdateEntityAsync(profile, profile.ETag, TableUpdateMode.Replace);

        var certificationId = Ids.NewCertificationId();
        await using (var photo = File.OpenRead(Tests.Shared.SharedFaces.PathOf(Photos.GenuineProbe)))
            await host.App.Services.GetRequiredService<IPhotoStore>().UploadAsync(PhotoContainer.Selfies, certificationId, photo, "image/jpeg", CancellationToken.None);
        Assert.True(await Certifications.TryCreateAsync(new CertificationRecord
        {
            CertificationId = certificationId,
            PensionerId = pensionerId,
            Channel = CertificationChannel.App,
            Status = CertificationStatus.Pending,
            SelfieBlobName = certificationId,
            SubmittedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None));
        return (certificationId, pensionerId);
    }
}
