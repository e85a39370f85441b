using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.FaceMatching;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests;

/// <summary>
/// Issue #10 item 1: every accepted certification ends Approved, Rejected, NeedsReview or Failed, whatever died when.
/// The local host on Azurite serves the poison-queue handler and the stale sweep; the records are left as a host
/// killed at each point leaves them (Pending, Processing, Processing with the decision intended), with real photos.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class TerminalStateTests(LocalHostFixture host)
{
    private ICertificationRepository Certifications => host.App.Services.GetRequiredService<ICertificationRepository>();

    [Fact]
    public async Task PoisonedMessage_RecordLeftProcessing_RecordedFailedWithGuidance_OnceOnly()
    {
        // A host killed (kill -9) while analysing on each delivery: the SDK moves the message to the poison queue unread.
        var (certificationId, _) = await StrandedAsync(CertificationStatus.Processing, recent: true);

        await host.Storage.VerificationPoisonQueue.SendMessageAsync(StorageVerificationQueue.Serialize(new VerificationMessage(certificationId)));
        var decided = await host.PollDecidedAsync(certificationId);

        Assert.Equal("Failed", decided.GetProperty("status").GetString());
        var reason = decided.GetProperty("reasons").EnumerateArray().Single();
        Assert.Equal("processing-failed", reason.GetProperty("code").GetString());
        Assert.Equal(Reasons.ProcessingFailed.Message, reason.GetProperty("message").GetString());
        var first = await Certifications.GetAsync(certificationId, CancellationToken.None);
        Assert.NotNull(first!.SelfieDeleteOn);

        // The same poison message again (a redelivery of the poison queue) changes nothing: no write at all. The handler
        // is called directly: on the shared Azurite every test host listens to the same queues, and a host of another
        // collection that fetched the redelivery as it stopped hides it for the SDK's 10-minute fetch visibility.
        await host.App.Services.GetRequiredService<CertificationProcessor>().RecordPoisonedAsync(new VerificationMessage(certificationId), CertificationOptions.MaxDequeueCount, CancellationToken.None);
        var again = await Certifications.GetAsync(certificationId, CancellationToken.None);
        Assert.Equal(first.ETag, again!.ETag);
        Assert.Equal(0, await InFlightRowsAsync(certificationId));
    }

    [Fact]
    public async Task PoisonedMessage_CrashAfterTheCycleCertifiedBeforeTheDecision_EndsApprovedNotFailed()
    {
        // The worker reached Approved, wrote the intent, certified the pensioner in the cycle, and died before the status.
        var (certificationId, pensionerId) = await StrandedAsync(CertificationStatus.Processing, intended: CertificationStatus.Approved, recent: true);
        var record = await Certifications.GetAsync(certificationId, CancellationToken.None);
        var cycle = host.App.Services.GetRequiredService<CycleService>();
        Assert.Equal(CycleCommandResult.Applied, await cycle.RecordCertifiedAsync(pensionerId, record!.SubmittedAt, new CertificationOrigin("wechat", certificationId), CancellationToken.None));

        await host.Storage.VerificationPoisonQueue.SendMessageAsync(StorageVerificationQueue.Serialize(new VerificationMessage(certificationId)));
        var decided = await host.PollDecidedAsync(certificationId);

        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.Equal(0.71, decided.GetProperty("similarityScore").GetDouble());
        var eligibility = await host.GetJsonAsync($"/api/pensioners/{pensionerId}/eligibility", LocalHostFixture.ClientKeyHeader);
        Assert.Equal("Valid", eligibility.GetProperty("state").GetString());
        // One certification.approved outbox row: completing the decision re-applied the cycle change as a no-op.
        Assert.Equal(1, await OutboxRowsAsync(pensionerId));
    }

    [Fact]
    public async Task Sweep_ProcessingForAnHourWithNoMessageWaiting_RequeuedOnce_WorkerDecidesTheRealSelfie()
    {
        var (certificationId, _) = await StrandedAsync(CertificationStatus.Processing);
        var sweeper = host.App.Services.GetRequiredService<StaleCertificationSweeper>();

        var report = await sweeper.SweepAsync(CancellationToken.None);

        Assert.True(report.Requeued >= 1, $"re-queued {report.Requeued}");
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.True(decided.GetProperty("similarityScore").GetDouble() >= decided.GetProperty("threshold").GetDouble());
        Assert.Equal(0, await InFlightRowsAsync(certificationId));
    }

    [Fact]
    public async Task Sweep_StillPendingAnHourAfterItWasRequeued_RecordedFailedProcessingInterrupted()
    {
        var (certificationId, _) = await StrandedAsync(CertificationStatus.Pending, requeuedHoursAgo: 1);
        var sweeper = host.App.Services.GetRequiredService<StaleCertificationSweeper>();

        var report = await sweeper.SweepAsync(CancellationToken.None);

        Assert.True(report.GivenUp >= 1, $"given up {report.GivenUp}");
        var record = await Certifications.GetAsync(certificationId, CancellationToken.None);
        Assert.Equal(CertificationStatus.Failed, record!.Status);
        Assert.Equal(["processing-interrupted"], record.ReasonCodes);
        Assert.Equal(0, await InFlightRowsAsync(certificationId));
        // A second sweep finds nothing of it.
        await sweeper.SweepAsync(CancellationToken.None);
        Assert.Equal(record.ETag, (await Certifications.GetAsync(certificationId, CancellationToken.None))!.ETag);
    }

    [Fact]
    public async Task Sweep_EntryOfASubmissionThatDiedBeforeItsRecord_SelfieDeletedAndEntryRemoved()
    {
        var certificationId = Ids.NewCertificationId();
        var selfie = host.Storage.Selfies.GetBlobClient(certificationId);
        await selfie.UploadAsync(new BinaryData(Tests.Shared.SharedFaces.Read(Photos.GenuineProbe)));
        await host.App.Services.GetRequiredService<IInFlightCertificationIndex>()
            .AddAsync(new InFlightCertification(DateTimeOffset.UtcNow.AddHours(-2), certificationId), CancellationToken.None);

        var report = await host.App.Services.GetRequiredService<StaleCertificationSweeper>().SweepAsync(CancellationToken.None);

        Assert.True(report.Cleaned >= 1);
        Assert.False((await selfie.ExistsAsync()).Value);
        Assert.Equal(0, await InFlightRowsAsync(certificationId));
    }

    [Fact]
    public async Task Sweep_DatedSelfieWhoseMessageWasLost_NoInFlightRow_RequeuedFromTheMinuteListing_AndDecided()
    {
        // Submitted today (dated selfie, no in-flight row), its message removed by hand, now older than StaleAfter.
        var staleAfter = host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CertificationOptions>>().Value.StaleAfter;
        var submittedAt = DateTimeOffset.UtcNow - staleAfter - TimeSpan.FromMinutes(3);
        var (certificationId, _) = await StrandedAsync(CertificationStatus.Pending, datedAt: submittedAt);
        Assert.Equal(0, await InFlightRowsAsync(certificationId));
        // As if the last sweep ran just before its minute became stale (the watermark is shared by every host on this Azurite).
        var index = host.App.Services.GetRequiredService<IInFlightCertificationIndex>();
        await index.SetSweptUntilAsync(SelfieNames.MinuteStart(submittedAt), CancellationToken.None);

        var report = await host.App.Services.GetRequiredService<StaleCertificationSweeper>().SweepAsync(CancellationToken.None);

        Assert.True(report.Examined >= 1);
        Assert.True(await index.GetSweptUntilAsync(CancellationToken.None) > submittedAt);
        // Queued again (by this sweep or another host's timer), then decided from the real selfie.
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal("Approved", decided.GetProperty("status").GetString());
        Assert.NotNull((await Certifications.GetAsync(certificationId, CancellationToken.None))!.RequeuedAt);
    }

    [Fact]
    public async Task Sweep_DatedSelfieWithNoRecord_OlderThanStaleAfter_Deleted()
    {
        // A submission that stored its selfie and died before its message and record: nothing else would ever delete it.
        var staleAfter = host.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CertificationOptions>>().Value.StaleAfter;
        var storedAt = DateTimeOffset.UtcNow - staleAfter - TimeSpan.FromMinutes(3);
        var certificationId = Ids.NewCertificationId();
        var selfie = host.Storage.Selfies.GetBlobClient(SelfieNames.For(storedAt, certificationId));
        await selfie.UploadAsync(new BinaryData(Tests.Shared.SharedFaces.Read(Photos.GenuineProbe)));
        await host.App.Services.GetRequiredService<IInFlightCertificationIndex>().SetSweptUntilAsync(SelfieNames.MinuteStart(storedAt), CancellationToken.None);

        await host.App.Services.GetRequiredService<StaleCertificationSweeper>().SweepAsync(CancellationToken.None);

        Assert.False((await selfie.ExistsAsync()).Value);
        Assert.Equal(0, await InFlightRowsAsync(certificationId));
    }

    /// <summary>
    /// An enrolled pensioner (real reference photo) with a certification left as a killed host leaves it: the real
    /// selfie stored, the record submitted two hours ago in <paramref name="status"/>, its in-flight entry, no message.
    /// </summary>
    /// <param name="datedAt">
    /// Null: a certification submitted before selfies were named by date (selfie named by its id, in-flight entry, two
    /// hours ago). Otherwise one submitted today at that time: a dated selfie name and no in-flight entry.
    /// </param>
    /// <param name="recent">
    /// Submitted a minute ago instead of two hours: younger than StaleAfter, so no host's stale sweep (every host on this
    /// Azurite runs one) re-queues it while the test drives it through the poison handler.
    /// </param>
    private async Task<(string CertificationId, string PensionerId)> StrandedAsync(CertificationStatus status, CertificationStatus? intended = null, int? requeuedHoursAgo = null,
        DateTimeOffset? datedAt = null, bool recent = false)
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(), Photos.GenuineReference);
        var certificationId = Ids.NewCertificationId();
        var submittedAt = datedAt ?? DateTimeOffset.UtcNow.AddHours(recent ? -1.0 / 60 : -2);
        var selfieBlobName = datedAt is null ? certificationId : SelfieNames.For(submittedAt, certificationId);
        await using (var photo = File.OpenRead(Tests.Shared.SharedFaces.PathOf(Photos.GenuineProbe)))
            await host.App.Services.GetRequiredService<IPhotoStore>().UploadAsync(PhotoContainer.Selfies, selfieBlobName, photo, "image/jpeg", CancellationToken.None);
        await host.App.Services.GetRequiredService<IPensionerRepository>().AddCertificationAsync(pensionerId, certificationId, CancellationToken.None);
        if (datedAt is null)
            await host.App.Services.GetRequiredService<IInFlightCertificationIndex>().AddAsync(new InFlightCertification(submittedAt, certificationId), CancellationToken.None);
        Assert.True(await Certifications.TryCreateAsync(new CertificationRecord
        {
            CertificationId = certificationId,
            PensionerId = pensionerId,
            Channel = CertificationChannel.WeChat,
            Status = status,
            SelfieBlobName = selfieBlobName,
            SubmittedAt = submittedAt,
            ProcessingStartedAt = status == CertificationStatus.Processing ? submittedAt.AddSeconds(1) : null,
            Attempts = status == CertificationStatus.Processing ? 1 : 0,
            IntendedStatus = intended,
            Similarity = intended is null ? null : 0.71,
            AcceptThreshold = intended is null ? null : 0.43,
            ReviewThreshold = intended is null ? null : 0.2,
            LivenessScore = intended is null ? null : 0.98,
            RequeuedAt = requeuedHoursAgo is { } h ? DateTimeOffset.UtcNow.AddHours(-h) : null,
        }, CancellationToken.None));
        return (certificationId, pensionerId);
    }

    private async Task<int> InFlightRowsAsync(string certificationId)
    {
        var n = 0;
        await foreach (var _ in host.Storage.InFlightCertifications.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {certificationId}"))) n++;
        return n;
    }

    private async Task<int> OutboxRowsAsync(string pensionerId)
    {
        var n = 0;
        await foreach (var _ in host.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}"))) n++;
        return n;
    }
}

/// <summary>
/// A local host whose face analysis hangs (and ignores cancellation) for every verification, with host.json overridden
/// as the Functions host allows (<c>AzureFunctionsJobHost__…</c>): a 2-second functionTimeout, 2 deliveries, 1-second
/// visibility back-off.
/// </summary>
public sealed class HungAnalysisHostFixture : LocalHostFixture
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration["AzureFunctionsJobHost:functionTimeout"] = "00:00:02";
        builder.Configuration["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2";
        builder.Configuration["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:01";
        // Registered before the face pipeline's TryAdd: verification hangs, enrolment analyses for real.
        builder.Services.AddSingleton<IFaceAnalyzer>(sp => new HangingVerification(sp.GetRequiredService<FaceAnalyzer>(), _release.Task));
    }

    public override async Task DisposeAsync()
    {
        _release.TrySetResult();
        await base.DisposeAsync();
    }

    private sealed class HangingVerification(IFaceAnalyzer inner, Task release) : IFaceAnalyzer
    {
        public async Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> image, FaceAnalysisPurpose purpose, CancellationToken cancellationToken)
        {
            if (purpose == FaceAnalysisPurpose.Verification) await release; // ignores the token, as a stuck native call would
            return await inner.AnalyzeAsync(image, purpose, cancellationToken);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class HungAnalysisCollection : ICollectionFixture<HungAnalysisHostFixture>
{
    public const string Name = "local host whose face analysis hangs";
}

[Collection(HungAnalysisCollection.Name)]
public sealed class FunctionTimeoutTests(HungAnalysisHostFixture host)
{
    [Fact]
    public async Task HungAnalysis_EachAttemptCancelledAtFunctionTimeout_PoisonHandlerRecordsFailed()
    {
        var id = TestIdNumbers.New();
        await host.EnrollOkAsync(id, Photos.GenuineReference);
        var certificationId = await host.SubmitOkAsync(id, Photos.GenuineProbe);

        // 2 deliveries × (2 s timeout + 1 s back-off), then the poison handler.
        var decided = await host.PollDecidedAsync(certificationId, timeoutSeconds: 120);

        Assert.Equal("Failed", decided.GetProperty("status").GetString());
        Assert.Equal("processing-failed", decided.GetProperty("reasons")[0].GetProperty("code").GetString());
        // The record counts the deliveries that really ran (maxDequeueCount is 2 here), not the default limit of 5.
        Assert.Equal(2, decided.GetProperty("attempts").GetInt32());
        var timedOut = host.Logs.Lines.Count(l => l.Contains("ran longer than functionTimeout", StringComparison.Ordinal)
            && l.Contains(Core.Definitions.FunctionNames.VerifyCertification, StringComparison.Ordinal));
        Assert.True(timedOut >= 2, $"{timedOut} timed-out executions logged");
        Assert.Contains(host.Logs.Lines, l => l.Contains($"{certificationId} was poisoned", StringComparison.Ordinal));
    }
}
