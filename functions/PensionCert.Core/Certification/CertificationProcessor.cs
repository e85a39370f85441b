using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

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
/// and writes the decision. Idempotent: a message for a decided certification changes nothing. Expected outcomes
/// (no face, mismatch, spoof) are decisions; unexpected errors propagate so the queue retries, and on the last
/// attempt the record is marked Failed instead of staying Pending.
/// </summary>
public sealed partial class CertificationProcessor(
    ICertificationRepository certifications,
    IPensionerRepository pensioners,
    IPhotoStore photos,
    IFaceAnalyzer faceAnalyzer,
    VerificationPolicy policy,
    Retention.SelfieRetentionService retention,
    AttemptLimiter attemptLimiter,
    CycleService cycle,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<CertificationProcessor> logger)
{
    /// <summary>Processes one delivery of <paramref name="message"/>.</summary>
    /// <exception cref="CertificationNotYetVisibleException">The record is not written yet (retry).</exception>
    /// <exception cref="ConcurrencyConflictException">Another worker changed the record (retry).</exception>
    public async Task ProcessAsync(VerificationMessage message, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await VerifyAsync(message.CertificationId, delivery, cancellationToken);
        }
        catch (Exception ex) when (delivery.DequeueCount >= CertificationOptions.MaxDequeueCount && ex is not OperationCanceledException)
        {
            LogGaveUp(logger, message.CertificationId, delivery.DequeueCount, ex.GetType().Name);
            await MarkFailedAsync(message.CertificationId, delivery, cancellationToken);
        }
    }

    private async Task VerifyAsync(string certificationId, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        var record = await certifications.GetAsync(certificationId, cancellationToken);
        if (record is null)
        {
            var age = delivery.InsertedOn is { } inserted ? timeProvider.GetUtcNow() - inserted : TimeSpan.Zero;
            if (age > options.Value.AbandonedSubmissionAfter)
            {
                LogAbandoned(logger, certificationId);
                return;
            }
            throw new CertificationNotYetVisibleException(certificationId);
        }
        if (record.Status.IsDecided())
        {
            LogAlreadyDecided(logger, certificationId, record.Status);
            return;
        }

        record = await certifications.UpdateAsync(record with
        {
            Status = CertificationStatus.Processing,
            ProcessingStartedAt = timeProvider.GetUtcNow(),
            Attempts = (int)Math.Min(delivery.DequeueCount, int.MaxValue),
        }, cancellationToken);

        var pensioner = await pensioners.GetAsync(record.PensionerId, cancellationToken);
        if (pensioner is null)
        {
            await DecideAsync(record, new VerificationDecision(CertificationStatus.Rejected, null, null, [Reasons.ReferenceUnavailable]), cancellationToken);
            return;
        }
        var selfie = await photos.DownloadAsync(PhotoContainer.Selfies, record.SelfieBlobName, cancellationToken);
        if (selfie is null)
        {
            await DecideAsync(record, new VerificationDecision(CertificationStatus.Failed, null, null, [Reasons.PhotoUnavailable]), cancellationToken);
            return;
        }

        var analysis = await faceAnalyzer.AnalyzeAsync(selfie, FaceAnalysisPurpose.Verification, cancellationToken);
        var decision = policy.Decide(analysis, pensioner.ReferenceEmbedding);
        if (decision.Status == CertificationStatus.Approved)
            await RecordCertifiedAsync(record, cancellationToken);
        // Counted before the decision is written, so a crash in between is repaired by the redelivery (idempotent).
        if (decision.Status == CertificationStatus.Rejected)
            await attemptLimiter.RecordRejectedAsync(record, pensioner, cancellationToken);
        else if (decision.Status == CertificationStatus.NeedsReview)
            await HoldForReviewAsync(record, cancellationToken);
        await DecideAsync(record, decision, cancellationToken);
    }

    private async Task DecideAsync(CertificationRecord record, VerificationDecision decision, CancellationToken cancellationToken)
    {
        var decidedAt = timeProvider.GetUtcNow();
        // Scheduled before the decision is written: a crash in between leaves an entry the purge handles either way.
        var deleteOn = await retention.ScheduleAsync(record.CertificationId, decidedAt, cancellationToken);
        await certifications.UpdateAsync(record with
        {
            Status = decision.Status,
            DecidedAt = decidedAt,
            SelfieDeleteOn = deleteOn,
            Similarity = decision.Similarity,
            AcceptThreshold = policy.AcceptThreshold,
            ReviewThreshold = policy.ReviewThreshold,
            LivenessScore = decision.LivenessScore,
            ReasonCodes = decision.Reasons.Select(r => r.Code).ToArray(),
        }, cancellationToken);
        LogDecided(logger, record.CertificationId, decision.Status, decision.Similarity, decision.LivenessScore);
    }

    /// <summary>
    /// Restarts the pensioner's year from the certification date (China Standard Time) through the cycle service,
    /// which also resumes a suspended payment and emits certification.approved. Idempotent: a later or equal
    /// certification already recorded is kept. Runs before the decision is written, so a crash between the two is
    /// repaired by the redelivered message.
    /// </summary>
    private Task RecordCertifiedAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        cycle.RecordCertifiedAsync(record.PensionerId, record.SubmittedAt, new CertificationOrigin(record.Channel.ToWireName(), record.CertificationId), cancellationToken);

    /// <summary>A review blocks suspension while it is open (closed by the review decision or any later certification).</summary>
    private Task HoldForReviewAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        cycle.SetHoldAsync(record.PensionerId, CycleService.ReviewHold(record.CertificationId), open: true, cancellationToken);

    private async Task MarkFailedAsync(string certificationId, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        var record = await certifications.GetAsync(certificationId, cancellationToken);
        if (record is null || record.Status.IsDecided()) return;
        var decidedAt = timeProvider.GetUtcNow();
        var deleteOn = await retention.ScheduleAsync(certificationId, decidedAt, cancellationToken);
        await certifications.UpdateAsync(record with
        {
            Status = CertificationStatus.Failed,
            DecidedAt = decidedAt,
            SelfieDeleteOn = deleteOn,
            Attempts = (int)Math.Min(delivery.DequeueCount, int.MaxValue),
            ReasonCodes = [Reasons.ProcessingFailed.Code],
        }, cancellationToken);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Certification {CertificationId} decided {Status} (similarity {Similarity}, liveness {Liveness})")]
    private static partial void LogDecided(ILogger logger, string certificationId, CertificationStatus status, double? similarity, double? liveness);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Certification {CertificationId} was already decided ({Status}); redelivery ignored")]
    private static partial void LogAlreadyDecided(ILogger logger, string certificationId, CertificationStatus status);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Verification message for {CertificationId} has no record after the grace period; submission abandoned")]
    private static partial void LogAbandoned(ILogger logger, string certificationId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Certification {CertificationId} failed on attempt {DequeueCount} ({ErrorType}); recorded as Failed")]
    private static partial void LogGaveUp(ILogger logger, string certificationId, long dequeueCount, string errorType);
}
