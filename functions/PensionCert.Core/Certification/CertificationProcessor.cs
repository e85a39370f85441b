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
    Retention.SelfieRetentionService retention,
    ISelfieRetentionIndex retentionIndex,
    AttemptLimiter attemptLimiter,
    CycleService cycle,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<CertificationProcessor> logger,
    FamilyHelpers.IAssistedApprovalLog? assistedApprovals = null)
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
            // The selfie is stored before the message is sent, and erasure deletes it before the record: no record and
            // no selfie means the certification was erased (or its refused request cleaned up), never "not yet written".
            if (!await photos.ExistsAsync(PhotoContainer.Selfies, certificationId, cancellationToken))
            {
                LogNothingLeft(logger, certificationId);
                return;
            }
            var age = delivery.InsertedOn is { } inserted ? timeProvider.GetUtcNow() - inserted : TimeSpan.Zero;
            if (age > options.Value.AbandonedSubmissionAfter || delivery.DequeueCount >= CertificationOptions.MaxDequeueCount)
            {
                // The submission died between its message and its record: its selfie has no record and no retention
                // entry, so it is deleted here rather than kept forever.
                await photos.DeleteAsync(PhotoContainer.Selfies, certificationId, cancellationToken);
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
            await RemoveErasedAsync(record, null, cancellationToken);
            return;
        }
        var selfie = await photos.DownloadAsync(PhotoContainer.Selfies, record.SelfieBlobName, cancellationToken);
        if (selfie is null)
        {
            await DecideAsync(record, new VerificationDecision(CertificationStatus.Failed, null, null, [Reasons.PhotoUnavailable]), cancellationToken);
            return;
        }

        var analysis = await faceAnalyzer.AnalyzeAsync(selfie, FaceAnalysisPurpose.Verification, cancellationToken);
        // Operator-captured channels: a mismatch goes to review with the operator's attestation, never to approval.
        var decision = Offline.OperatorCapturedChannels.Apply(policy.Decide(analysis, pensioner.ReferenceEmbedding), record);
        // Each step below fails (NotFound / false) instead of writing when the pensioner was erased meanwhile.
        var stillThere = decision.Status switch
        {
            CertificationStatus.Approved => await RecordCertifiedAsync(record, pensioner, cancellationToken) != CycleCommandResult.NotFound,
            // Counted before the decision is written, so a crash in between is repaired by the redelivery (idempotent).
            CertificationStatus.Rejected => await attemptLimiter.RecordRejectedAsync(record, pensioner, cancellationToken),
            CertificationStatus.NeedsReview => await HoldForReviewAsync(record, cancellationToken) != CycleCommandResult.NotFound,
            _ => true,
        };
        if (!stillThere)
        {
            await RemoveErasedAsync(record, null, cancellationToken);
            return;
        }
        await DecideAsync(record, decision, cancellationToken);
    }

    private async Task DecideAsync(CertificationRecord record, VerificationDecision decision, CancellationToken cancellationToken)
    {
        var decidedAt = timeProvider.GetUtcNow();
        // Scheduled before the decision is written: a crash in between leaves an entry the purge handles either way.
        var deleteOn = await retention.ScheduleAsync(record.CertificationId, decidedAt, cancellationToken);
        try
        {
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
        }
        catch (ConcurrencyConflictException)
        {
            if (await certifications.GetAsync(record.CertificationId, cancellationToken) is not null) throw;
            // The record was erased while this decision was made: remove what this worker added (the retention entry).
            await RemoveErasedAsync(record, deleteOn, cancellationToken);
            return;
        }
        LogDecided(logger, record.CertificationId, decision.Status, decision.Similarity, decision.LivenessScore);
    }

    /// <summary>
    /// Removes a certification whose pensioner was erased: the selfie, the retention entries (the record's and
    /// <paramref name="scheduledOn"/>'s), the index row in the pensioner's partition (a delete never recreates the
    /// partition) and the record last, so a crash part-way is finished by the redelivered message.
    /// </summary>
    private async Task RemoveErasedAsync(CertificationRecord record, DateOnly? scheduledOn, CancellationToken cancellationToken)
    {
        await photos.DeleteAsync(PhotoContainer.Selfies, record.SelfieBlobName, cancellationToken);
        var entries = new[] { record.SelfieDeleteOn, scheduledOn }.OfType<DateOnly>().Distinct()
            .Select(on => new SelfieRetentionEntry(on, record.CertificationId)).ToArray();
        if (entries.Length > 0) await retentionIndex.RemoveAsync(entries, cancellationToken);
        await pensioners.RemoveCertificationAsync(record.PensionerId, record.CertificationId, cancellationToken);
        await certifications.DeleteAsync(record.CertificationId, cancellationToken);
        LogRemovedErased(logger, record.CertificationId, record.PensionerId);
    }

    /// <summary>
    /// Restarts the pensioner's year from the certification date (China Standard Time) through the cycle service,
    /// which also resumes a suspended payment and emits certification.approved. Idempotent: a later or equal
    /// certification already recorded is kept. Runs before the decision is written, so a crash between the two is
    /// repaired by the redelivered message.
    /// </summary>
    private async Task<CycleCommandResult> RecordCertifiedAsync(CertificationRecord record, PensionerProfile pensioner, CancellationToken cancellationToken)
    {
        var result = await cycle.RecordCertifiedAsync(record.PensionerId, record.SubmittedAt,
            new CertificationOrigin(record.Channel.ToWireName(), record.CertificationId) { AssistedBy = record.AssistedBy }, cancellationToken);
        // Family-assisted approvals are counted apart (idempotent per certification; no pensioner id in the count).
        if (result != CycleCommandResult.NotFound && record.AssistedBy is { } helperId && assistedApprovals is not null)
            await assistedApprovals.RecordAsync(new FamilyHelpers.AssistedApproval(pensioner.RegionCode, record.CertificationId, helperId,
                record.Channel.ToWireName(), timeProvider.GetUtcNow()), cancellationToken);
        return result;
    }

    /// <summary>A review blocks suspension while it is open (closed by the review decision or any later certification).</summary>
    private Task<CycleCommandResult> HoldForReviewAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        cycle.SetHoldAsync(record.PensionerId, CycleService.ReviewHold(record.CertificationId), open: true, cancellationToken);

    private async Task MarkFailedAsync(string certificationId, QueueDelivery delivery, CancellationToken cancellationToken)
    {
        var record = await certifications.GetAsync(certificationId, cancellationToken);
        if (record is null || record.Status.IsDecided()) return;
        bool erased;
        try
        {
            erased = await pensioners.GetAsync(record.PensionerId, cancellationToken) is null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            erased = false; // An unreadable profile (the likely reason for giving up) still exists: record the failure.
        }
        if (erased)
        {
            await RemoveErasedAsync(record, null, cancellationToken);
            return;
        }
        var decidedAt = timeProvider.GetUtcNow();
        var deleteOn = await retention.ScheduleAsync(certificationId, decidedAt, cancellationToken);
        try
        {
            await certifications.UpdateAsync(record with
            {
                Status = CertificationStatus.Failed,
                DecidedAt = decidedAt,
                SelfieDeleteOn = deleteOn,
                Attempts = (int)Math.Min(delivery.DequeueCount, int.MaxValue),
                ReasonCodes = [Reasons.ProcessingFailed.Code],
            }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            if (await certifications.GetAsync(certificationId, cancellationToken) is not null) throw;
            await RemoveErasedAsync(record, deleteOn, cancellationToken);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Certification {CertificationId} decided {Status} (similarity {Similarity}, liveness {Liveness})")]
    private static partial void LogDecided(ILogger logger, string certificationId, CertificationStatus status, double? similarity, double? liveness);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Certification {CertificationId} was already decided ({Status}); redelivery ignored")]
    private static partial void LogAlreadyDecided(ILogger logger, string certificationId, CertificationStatus status);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Verification message for {CertificationId} still has no record (grace period or last delivery); submission abandoned, its selfie deleted")]
    private static partial void LogAbandoned(ILogger logger, string certificationId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Verification message for {CertificationId} has neither record nor selfie (erased); dropped")]
    private static partial void LogNothingLeft(ILogger logger, string certificationId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Certification {CertificationId}: pensioner {PensionerId} was erased; selfie, record and index row removed")]
    private static partial void LogRemovedErased(ILogger logger, string certificationId, string pensionerId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Certification {CertificationId} failed on attempt {DequeueCount} ({ErrorType}); recorded as Failed")]
    private static partial void LogGaveUp(ILogger logger, string certificationId, long dequeueCount, string errorType);
}
