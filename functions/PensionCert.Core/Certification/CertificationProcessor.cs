using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.Core.Telemetry;
using static PensionCert.Core.Definitions.TelemetryNames;

namespace PensionCert.Core.Certification;

/// <summary>One delivery of a verification message, as the queue reports it.</summary>
/// <param name="DequeueCount">1 on the first delivery; the queue increments it on each redelivery.</param>
/// <param name="InsertedOn">When the message was sent, if the queue says.</param>
public sealed record QueueDelivery(long DequeueCount, DateTimeOffset? InsertedOn);

/// <summary>The certification record is not visible yet; the message must be retried.</summary>
public sealed class CertificationNotYetVisibleException(string certificationId)
    : Exception($"Certification {certificationId} has no record yet; retrying.");

/// <summary>
/// Verifies one certification: reads the selfie, analyses it, decides against the enrolled reference embedding,
/// and hands the decision to <see cref="CertificationDecisions"/>, which writes it with its effects in a crash-safe
/// order. Idempotent: a message for a decided certification changes nothing, and one for a certification whose
/// decision was already reached finishes that decision without analysing again. Expected outcomes (no face,
/// mismatch, spoof) are decisions; unexpected errors propagate so the queue retries; on the last attempt the
/// certification is given up (Failed), and a message the queue poisons without running it is given up by
/// <see cref="RecordPoisonedAsync"/>.
/// <para>
/// Erasure: a submission can read the profile just before its pensioner is erased and still write its record,
/// index row and selfie afterwards, and a worker can read the profile just before the erasure. The worker therefore
/// treats a missing profile (only erasure deletes profiles) as "erased": it deletes the certification's selfie,
/// retention entry, pensioner-partition index row and record instead of writing a decision. The same happens when
/// the cycle update, the failed-attempt count, the review hold or the decision itself finds the profile or record
/// gone, so nothing of an erased pensioner outlives the redelivery of its in-flight messages.
/// </para>
/// </summary>
public sealed partial class CertificationProcessor(
    ICertificationRepository certifications,
    IPensionerRepository pensioners,
    IPhotoStore photos,
    IFaceAnalyzer faceAnalyzer,
    VerificationPolicy policy,
    CertificationDecisions decisions,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<CertificationProcessor> logger,
    Sessions.SessionVerification? sessionVerification = null,
    ReferenceFingerprints? referenceFingerprints = null)
{
    /// <summary>Processes one delivery of <paramref name="message"/>.</summary>
    /// <exception cref="CertificationNotYetVisibleException">The record is not written yet (retry).</exception>
    /// <exception cref="ConcurrencyConflictException">Another worker changed the record (retry).</exception>
    public async Task ProcessAsync(VerificationMessage message, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(delivery);
        // The submission's trace goes on here (the message carries its traceparent); the trigger's span is linked.
        using var activity = PensionCertTelemetry.StartContinued(Spans.Verify, ActivityKind.Consumer, message.TraceParent);
        activity?.SetTag(SpanAttributes.CertificationId, message.CertificationId);
        activity?.SetTag(SpanAttributes.DequeueCount, delivery.DequeueCount);
        if (delivery.InsertedOn is { } inserted) PensionCertTelemetry.RecordQueueAge(timeProvider.GetUtcNow() - inserted);
        var started = Stopwatch.GetTimestamp();
        using var storageCalls = StorageCallScope.Begin(describe: activity is not null);
        try
        {
            await VerifyAsync(message, delivery, cancellationToken);
        }
        catch (Exception ex) when (delivery.DequeueCount >= CertificationOptions.MaxDequeueCount && ex is not OperationCanceledException)
        {
            LogLastAttemptFailed(logger, message.CertificationId, delivery.DequeueCount, ex.GetType().Name);
            PensionCertTelemetry.Fail(activity, ex);
            await decisions.GiveUpAsync(message.CertificationId, Attempts(delivery), Reasons.ProcessingFailed, cancellationToken, message.SelfieBlobName);
        }
        catch (Exception ex)
        {
            PensionCertTelemetry.Fail(activity, ex);
            throw;
        }
        finally
        {
            PensionCertTelemetry.RecordStageSince(Stages.Total, started);
            PensionCertTelemetry.RecordStorageCalls(Operations.Verification, storageCalls.Calls);
            PensionCertTelemetry.TagStorageCalls(activity, storageCalls);
        }
    }

    /// <summary>
    /// A verification message the queue moved to <see cref="Definitions.QueueNames.VerificationPoison"/>: every delivery
    /// failed, timed out or died with its host (the WebJobs SDK poisons a message whose dequeue count is past the limit
    /// without running the function). Completes an intended decision or records Failed (<c>processing-failed</c>);
    /// idempotent, so a repeated poison message changes nothing.
    /// <para>
    /// <paramref name="deliveries"/> is the queue's <c>maxDequeueCount</c> as the host runs it (host.json, 5 by default):
    /// the SDK poisons a message only after that many deliveries, and the poisoned copy's own dequeue count starts
    /// again at 1. The deliveries no longer write the record before their decision, so the record cannot count them.
    /// </para>
    /// </summary>
    public async Task RecordPoisonedAsync(VerificationMessage message, int deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        LogPoisoned(logger, message.CertificationId);
        await decisions.GiveUpAsync(message.CertificationId, deliveries, Reasons.ProcessingFailed, cancellationToken, message.SelfieBlobName);
    }

    private async Task VerifyAsync(VerificationMessage message, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        var certificationId = message.CertificationId;
        var selfieBlobName = message.SelfieBlobName ?? certificationId;
        var loading = Stopwatch.GetTimestamp();
        // A certification id that names its pensioner: the record, the profile and the rejections of the last two China
        // days in one partition query. An old-layout id: the record, then the profile with any intent of an earlier delivery.
        var today = Cycle.ChinaTime.Today(timeProvider);
        var read = await certifications.GetWithPensionerAsync(certificationId, today.AddDays(-1), today, cancellationToken);
        var record = read is null ? await certifications.GetAsync(certificationId, cancellationToken) : read.Record;
        if (record is null)
        {
            // The selfie is stored before the message is sent, and erasure deletes it before the record: no record and
            // no selfie means the certification was erased (or its refused request cleaned up), never "not yet written".
            if (!await photos.ExistsAsync(PhotoContainer.Selfies, selfieBlobName, cancellationToken))
            {
                LogNothingLeft(logger, certificationId);
                return;
            }
            var age = delivery.InsertedOn is { } inserted ? timeProvider.GetUtcNow() - inserted : TimeSpan.Zero;
            if (age > options.Value.AbandonedSubmissionAfter || delivery.DequeueCount >= CertificationOptions.MaxDequeueCount)
            {
                // The submission died between its message and its record: its selfie has no record and no retention
                // entry, so it is deleted here rather than kept forever.
                await photos.DeleteAsync(PhotoContainer.Selfies, selfieBlobName, cancellationToken);
                LogAbandoned(logger, certificationId);
                return;
            }
            throw new CertificationNotYetVisibleException(certificationId);
        }
        if (record.Status.IsDecided())
        {
            // A redelivery after the decision was stored but before the steps after it (a lost response): finish those.
            await decisions.FinishDecidedAsync(record, read?.Profile, cancellationToken);
            LogAlreadyDecided(logger, certificationId, record.Status);
            return;
        }
        // The day's rejections before this one, when read with the record (a rejection then needs no count afterwards).
        var failedBefore = read?.FailedAttemptsOn(Cycle.ChinaTime.ToChinaDate(record.SubmittedAt), record.CertificationId);
        if (record.IntendedStatus is not null)
        {
            // An earlier delivery reached the decision and died before finishing it: finish it, don't analyse again.
            await decisions.CompleteAsync(record, read?.Profile, failedBefore, cancellationToken);
            return;
        }

        PensionerProfile? pensioner;
        if (read is not null)
        {
            pensioner = read.Profile;
        }
        else
        {
            // The profile, with the decision an earlier delivery may have written with its cycle change, in one read.
            (pensioner, var intent) = await pensioners.GetWithIntentAsync(record.PensionerId, record.CertificationId, cancellationToken);
            if (pensioner is not null && intent is not null)
            {
                // An earlier delivery stored its decision with its first effect and died before writing the record: finish it.
                await decisions.CompleteAsync(intent.ApplyTo(record), pensioner, cancellationToken);
                return;
            }
        }
        // Processing, its start and the attempt are stored with the decision (no write of their own): a poll sees
        // Pending until then, and a record changed meanwhile (erased, requeued) fails the decision's write by its ETag.
        record = record with
        {
            Status = CertificationStatus.Processing,
            ProcessingStartedAt = timeProvider.GetUtcNow(),
            Attempts = Attempts(delivery),
        };
        if (pensioner is null)
        {
            await decisions.RemoveErasedAsync(record, null, cancellationToken);
            return;
        }
        // A reference enrolled before fingerprints were kept gets one from its stored photo (stored after the decision).
        var stored = pensioner;
        if (referenceFingerprints is not null) pensioner = await referenceFingerprints.CompleteAsync(pensioner, cancellationToken);
        VerificationDecision decision;
        if (record.SessionId is not null && sessionVerification is not null)
        {
            // A phone-page session: the action challenge's frames, not a single selfie.
            PensionCertTelemetry.RecordStageSince(Stages.Load, loading);
            decision = await sessionVerification.VerifyAsync(record, pensioner, cancellationToken);
        }
        else
        {
            var selfie = await photos.DownloadAsync(PhotoContainer.Selfies, record.SelfieBlobName, cancellationToken);
            PensionCertTelemetry.RecordStageSince(Stages.Load, loading);
            decision = selfie is null
                ? new VerificationDecision(CertificationStatus.Failed, null, null, [Reasons.PhotoUnavailable])
                // Operator-captured channels: a mismatch goes to review with the operator's attestation, never to approval.
                : Offline.OperatorCapturedChannels.Apply(await DecideAsync(selfie, pensioner.References, pensioner.Fingerprints, cancellationToken), record);
        }
        var deciding = Stopwatch.GetTimestamp();
        using (var decide = PensionCertTelemetry.ActivitySource.StartActivity(Spans.Decide))
        {
            decide?.SetTag(SpanAttributes.Status, decision.Status.ToString());
            await decisions.DecideAsync(record, pensioner, decision, cancellationToken, failedBefore);
        }
        PensionCertTelemetry.RecordStageSince(Stages.Decide, deciding);
        if (referenceFingerprints is not null && stored.ReferenceFingerprint is null) await referenceFingerprints.StoreAsync(pensioner, cancellationToken);
        // The burst is no longer needed once the decision is written (the best frame stays as the probe image).
        if (sessionVerification is not null) await sessionVerification.DeleteFramesAsync(record, cancellationToken);
    }

    /// <summary>
    /// The face pipeline in its own span (its stages are recorded by the analyzer), then the decision with the second
    /// look of <see cref="ProbeVerifier"/> on the failure path (turned photo, helper's face), in the same span.
    /// </summary>
    private async Task<VerificationDecision> DecideAsync(ReadOnlyMemory<byte> selfie, IReadOnlyList<FaceEmbedding> references, IReadOnlyList<FaceFingerprint> fingerprints,
        CancellationToken cancellationToken)
    {
        using var activity = PensionCertTelemetry.ActivitySource.StartActivity(Spans.Analyze);
        var started = Stopwatch.GetTimestamp();
        var analysis = await faceAnalyzer.AnalyzeAsync(selfie, FaceAnalysisPurpose.Verification, cancellationToken);
        activity?.SetTag("pensioncert.face.count", analysis.FaceCount);
        var decision = await _verifier.ReconsiderAsync(selfie, policy.Decide(analysis, references, fingerprints), references, cancellationToken, fingerprints);
        PensionCertTelemetry.RecordStageSince(Stages.Analyze, started);
        if (decision.TurnedDegrees != 0) activity?.SetTag("pensioncert.face.turned_degrees", decision.TurnedDegrees);
        return decision;
    }

    private readonly ProbeVerifier _verifier = new(faceAnalyzer, policy);

    private static int Attempts(QueueDelivery delivery) => (int)Math.Min(delivery.DequeueCount, int.MaxValue);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Certification {CertificationId} was already decided ({Status}); redelivery ignored")]
    private static partial void LogAlreadyDecided(ILogger logger, string certificationId, CertificationStatus status);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Verification message for {CertificationId} still has no record (grace period or last delivery); submission abandoned, its selfie deleted")]
    private static partial void LogAbandoned(ILogger logger, string certificationId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Verification message for {CertificationId} has neither record nor selfie (erased); dropped")]
    private static partial void LogNothingLeft(ILogger logger, string certificationId);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Error, Message = "Certification {CertificationId} failed on its last attempt {DequeueCount} ({ErrorType})")]
    private static partial void LogLastAttemptFailed(ILogger logger, string certificationId, long dequeueCount, string errorType);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Verification message for {CertificationId} was poisoned (every delivery failed or died); giving the certification up")]
    private static partial void LogPoisoned(ILogger logger, string certificationId);
}
