using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>
/// Writes a certification's decision and its effects outside the record, in an order that survives a crash at any
/// point: (1) the decision is stored as its intent (scores, reasons) before or with its first effect; (2) the effects
/// are applied, each idempotent per certification (the cycle's certification keyed by its id, the failed-attempt row,
/// the review hold); (3) the record's status becomes the decision. Approved, Rejected and Failed have one first effect,
/// the cycle change in the pensioner's partition (profile and outbox row in one transaction): their intent is written
/// in that same transaction, into the certification's index row (<see cref="CertificationIntent"/>), so the decision
/// and its event are stored together or not at all, without a write of its own. NeedsReview opens the review case
/// before its hold, so its intent is written into the record first (<see cref="CertificationRecord.IntendedStatus"/>).
/// Whoever finds an intent in either place (a redelivery, the poison handler, the stale sweep) finishes steps 2 and 3
/// instead of analysing again, so a pensioner the cycle certified always has an Approved record.
/// <para>
/// Erasure: an effect or a write that finds the profile or the record gone removes the certification's selfie,
/// retention entry, index row and record instead (see <see cref="CertificationProcessor"/>).
/// </para>
/// </summary>
public sealed partial class CertificationDecisions(
    ICertificationRepository certifications,
    IPensionerRepository pensioners,
    IPhotoStore photos,
    Retention.SelfieRetentionService retention,
    ISelfieRetentionIndex retentionIndex,
    IInFlightCertificationIndex inFlight,
    AttemptLimiter attemptLimiter,
    CycleService cycle,
    Review.ReviewIntake reviewIntake,
    VerificationPolicy policy,
    TimeProvider timeProvider,
    ILogger<CertificationDecisions> logger,
    FamilyHelpers.IAssistedApprovalLog? assistedApprovals = null,
    LiveReferenceKeeper? liveReferences = null)
{
    /// <summary>
    /// Records <paramref name="decision"/> for <paramref name="record"/> (Processing) with its effects, in the crash-safe order.
    /// <paramref name="failedAttemptsBefore"/> is the rejections recorded on the record's China date other than its own,
    /// when read with <paramref name="pensioner"/> (same partition query, same ETag); null when unknown.
    /// </summary>
    public async Task DecideAsync(CertificationRecord record, PensionerProfile pensioner, VerificationDecision decision, CancellationToken cancellationToken,
        int? failedAttemptsBefore = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(decision);
        decision = await OneReplayReviewAtATimeAsync(record, pensioner, decision, cancellationToken);
        var decided = record with
        {
            IntendedStatus = decision.Status,
            Similarity = decision.Similarity,
            AcceptThreshold = policy.AcceptThreshold,
            ReviewThreshold = policy.ReviewThreshold,
            LivenessScore = decision.LivenessScore,
            ReasonCodes = decision.Reasons.Select(r => r.Code).ToArray(),
        };
        if (!HasEffects(decided))
        {
            await WriteDecisionAsync(decided, pensioner?.RegionCode, cancellationToken);
            return;
        }
        if (!IntentRidesWithCycleChange(decision.Status))
        {
            try
            {
                decided = await certifications.UpdateAsync(decided, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                if (await certifications.GetAsync(record.CertificationId, cancellationToken) is not null) throw;
                await RemoveErasedAsync(record, null, cancellationToken);
                return;
            }
        }
        // An automatic approval well above the threshold keeps the selfie's template as a further reference: written
        // with the approval's cycle change (the same transaction on the profile), its audit entry on the approval's outbox
        // row in that transaction (the dispatcher appends it to the audit log), so neither is kept without the other.
        LiveReferenceKeeper.Addition? added = null;
        Func<PensionerProfile, PensionerProfile>? amend = liveReferences is not null && decision.Status == CertificationStatus.Approved && liveReferences.Qualifies(decided, decision)
            ? p =>
            {
                var (amended, addition) = liveReferences.Amend(p, decided, decision, pensioner.ReferenceVersion);
                added = addition;
                return amended;
            }
            : null;
        Func<Audit.AuditEntry?>? audit = amend is null ? null : () => added is { } a ? LiveReferenceKeeper.AuditEntryFor(decided, a) : null;
        var approval = await CompleteAsync(decided, pensioner, amend, audit, failedAttemptsBefore, cancellationToken);
        if (amend is null) return;
        if (approval == CycleCommandResult.Applied)
        {
            if (added is { } addition) liveReferences!.LogAddedWithApproval(decided, addition);
        }
        else if (approval is not CycleCommandResult.NotFound)
        {
            // The approval did not change the cycle (stale, inactive): the template is kept in a write of its own, after
            // the decision (best effort: a crash or storage error here loses only the template, never the decision).
            await liveReferences!.ConsiderAsync(decided, decision, pensioner.ReferenceVersion, cancellationToken);
        }
    }

    /// <summary>
    /// A replayed reference photo (probe-matches-reference) submitted online while an earlier replay of the pensioner
    /// waits for a reviewer is rejected (replay-review-pending) instead of opening a further review case: whoever holds
    /// the photo cannot fill the reviewers' queue with it. The rejection counts against the day's limit like the replay
    /// itself. Two replays decided in the same instant may still open two cases (the check reads the open cases; no lock).
    /// </summary>
    private async Task<VerificationDecision> OneReplayReviewAtATimeAsync(CertificationRecord record, PensionerProfile? pensioner, VerificationDecision decision,
        CancellationToken cancellationToken)
    {
        if (pensioner is null || decision.Status != CertificationStatus.NeedsReview || !record.Channel.IsOnline()
            || !decision.Reasons.Any(r => r.Code == Reasons.ProbeMatchesReference.Code))
            return decision;
        var ownCase = Review.ReviewCase.IdForCertification(pensioner.RegionCode, record.CertificationId);
        if (!await reviewIntake.HasOpenReplayReviewAsync(pensioner.RegionCode, pensioner.PensionerId, ownCase, cancellationToken)) return decision;
        LogReplayRejected(logger, record.CertificationId, pensioner.PensionerId);
        return decision with { Status = CertificationStatus.Rejected, Reasons = [Reasons.ReplayReviewPending] };
    }

    /// <summary>
    /// Finishes a decision whose intent is written (<see cref="CertificationRecord.IntendedStatus"/>): applies its
    /// effects again (each is idempotent) and writes the status. <paramref name="pensioner"/> may be null (read here).
    /// </summary>
    public Task CompleteAsync(CertificationRecord record, PensionerProfile? pensioner, CancellationToken cancellationToken) =>
        CompleteAsync(record, pensioner, null, null, null, cancellationToken);

    /// <summary>
    /// <see cref="CompleteAsync(CertificationRecord, PensionerProfile?, CancellationToken)"/> with the day's rejections
    /// read with <paramref name="pensioner"/> (see <see cref="DecideAsync"/>).
    /// </summary>
    public Task CompleteAsync(CertificationRecord record, PensionerProfile? pensioner, int? failedAttemptsBefore, CancellationToken cancellationToken) =>
        CompleteAsync(record, pensioner, null, null, failedAttemptsBefore, cancellationToken);

    /// <summary>
    /// <see cref="CompleteAsync(CertificationRecord, PensionerProfile?, CancellationToken)"/>, with <paramref name="amend"/>
    /// applied to the profile of an approval that restarts the year and <paramref name="audit"/> stored with its event
    /// (in the same transaction). <paramref name="pensioner"/>, when given, is the profile just read (with its ETag): the
    /// effects start from it. The record's final status is prepared first (its selfie's deletion date scheduled): for a
    /// record in the pensioner's partition it is written in the transaction of the decision's cycle change when nothing
    /// needs to follow that change (<see cref="CertificationRows.Decided"/>), otherwise after the effects, as before.
    /// </summary>
    /// <returns>The cycle's answer to an approval (null for other decisions).</returns>
    private async Task<CycleCommandResult?> CompleteAsync(CertificationRecord record, PensionerProfile? pensioner, Func<PensionerProfile, PensionerProfile>? amend,
        Func<Audit.AuditEntry?>? audit, int? failedAttemptsBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        _ = record.IntendedStatus ?? throw new ArgumentException("The record has no decision to complete.", nameof(record));
        // Each effect answers NotFound / false instead of writing when the pensioner was erased meanwhile. Every
        // decision is announced (certification.approved / rejected / needs-review / failed) with its guidance; the
        // event ids are derived from the certification, so a repeated completion announces nothing again.
        pensioner ??= await pensioners.GetAsync(record.PensionerId, cancellationToken);
        var final = await PrepareDecisionAsync(record, cancellationToken);
        CycleCommandResult? approval = null;
        CertificationRows? rows = null;
        bool stillThere;
        try
        {
            (approval, rows, stillThere, final) = await ApplyEffectsAsync(record, pensioner, final, amend, audit, failedAttemptsBefore, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The record went while the effects were written (an erasure deleted it; the cycle change's transaction, which
            // writes into that row, kept failing): remove what this worker added (the retention entry scheduled above).
            if (await certifications.GetAsync(record.CertificationId, cancellationToken) is not null) throw;
            stillThere = false;
        }
        if (!stillThere)
        {
            await RemoveErasedAsync(record, final.SelfieDeleteOn, cancellationToken);
            return approval;
        }
        await StoreDecisionAsync(final, rows?.DecisionStored == true, pensioner?.RegionCode, cancellationToken);
        return approval;
    }

    /// <summary>The effects of <paramref name="record"/>'s decision (see <see cref="CompleteAsync(CertificationRecord, PensionerProfile?, CancellationToken)"/>).</summary>
    /// <returns>The cycle's answer to an approval, the rows written with the cycle change, false when the pensioner was
    /// erased meanwhile, and the final record (a NeedsReview's with its review case).</returns>
    private async Task<(CycleCommandResult? Approval, CertificationRows? Rows, bool StillThere, CertificationRecord Final)> ApplyEffectsAsync(CertificationRecord record, PensionerProfile? pensioner,
        CertificationRecord final, Func<PensionerProfile, PensionerProfile>? amend, Func<Audit.AuditEntry?>? audit, int? failedAttemptsBefore, CancellationToken cancellationToken)
    {
        CycleCommandResult? approval = null;
        CertificationRows? rows = null;
        bool stillThere;
        switch (record.IntendedStatus!.Value)
        {
            case CertificationStatus.Approved:
                // A family-assisted approval writes its row in the separate count after the cycle change: the status follows it.
                rows = RowsOf(record, record.AssistedBy is null ? final : null) with { Audit = audit };
                approval = await RecordApprovedAsync(record, pensioner, amend, rows, cancellationToken);
                stillThere = approval != CycleCommandResult.NotFound;
                break;
            case CertificationStatus.Rejected:
                // The failed-attempt row is written with the announcement. When the day's count read with the profile
                // shows the limit is not reached by this rejection, the status rides along too; otherwise (or when the
                // change was made on a profile read again) the count is read after it and may open a review case before
                // the status is written.
                var mayReachLimit = AttemptLimiter.CountsOn(record) is not null && (failedAttemptsBefore is not { } before || attemptLimiter.IsReached(before + 1));
                rows = RowsOf(record, mayReachLimit ? null : final);
                stillThere = await AnnounceAsync(record, CertificationStatus.Rejected, pensioner, rows, cancellationToken) != CycleCommandResult.NotFound
                    && (rows.DecisionStored || await attemptLimiter.ReviewIfExhaustedAsync(record, pensioner!, cancellationToken));
                break;
            case CertificationStatus.NeedsReview:
                // A review case for the region's reviewers, and a hold that blocks suspension while it is open (closed by
                // the review decision or any later certification), announced with certification.needs-review. A replayed
                // reference photo counts against the day's limit like a rejection (its row is written with the announcement).
                if (pensioner is not null) final = final with { ReviewCaseId = Review.ReviewCase.IdForCertification(pensioner.RegionCode, record.CertificationId) };
                rows = pensioner is null ? null : NeedsReviewRows(record, final);
                stillThere = pensioner is not null && await HoldForReviewAsync(record, pensioner, rows!, cancellationToken)
                    && (!IsReplay(record) || await attemptLimiter.ReviewIfExhaustedAsync(record, pensioner, cancellationToken));
                break;
            case CertificationStatus.Failed:
                rows = RowsOf(record, final);
                stillThere = await AnnounceAsync(record, CertificationStatus.Failed, pensioner, rows, cancellationToken) != CycleCommandResult.NotFound;
                break;
            default:
                stillThere = true;
                break;
        }
        return (approval, rows, stillThere, final);
    }

    /// <summary>Announces a decision that does not restart the year (rejected, needs-review, failed) with its guidance.</summary>
    /// <param name="record">The certification.</param>
    /// <param name="status">Its decision.</param>
    /// <param name="current">The profile just read (with its ETag), or null to read it.</param>
    /// <param name="rows">The certification's rows written in the same transaction, if any.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    private Task<CycleCommandResult> AnnounceAsync(CertificationRecord record, CertificationStatus status, PensionerProfile? current, CertificationRows? rows,
        CancellationToken cancellationToken) =>
        cycle.AnnounceDecisionAsync(record.PensionerId, status switch
        {
            CertificationStatus.Rejected => Events.EventTypes.CertificationRejected,
            CertificationStatus.NeedsReview => Events.EventTypes.CertificationNeedsReview,
            _ => Events.EventTypes.CertificationFailed,
        }, record.CertificationId, record.Channel.ToWireName(), Guidance.ForStatus(status), DecisionSources.Worker, current, rows,
            holdsSuspension: !IsReplay(record), cancellationToken);

    /// <summary>
    /// The rows of a NeedsReview's hold transaction: a replay's failed-attempt row (its count follows, so the status
    /// does not ride along), or the final status.
    /// </summary>
    private static CertificationRows NeedsReviewRows(CertificationRecord record, CertificationRecord final) =>
        IsReplay(record)
            ? new CertificationRows(record.CertificationId) { FailedAttemptOn = AttemptLimiter.CountsOn(record) }
            : new CertificationRows(record.CertificationId) { Decided = RidesWithCycleChange(final) ? final : null };

    /// <summary>
    /// Opens the review case (idempotent), then the review hold with certification.needs-review (one transaction, with
    /// <paramref name="rows"/>). False when the pensioner was erased meanwhile (the case opened here is removed again).
    /// </summary>
    private async Task<bool> HoldForReviewAsync(CertificationRecord record, PensionerProfile pensioner, CertificationRows rows, CancellationToken cancellationToken)
    {
        await reviewIntake.OpenForCertificationAsync(record, pensioner, cancellationToken);
        if (await AnnounceAsync(record, CertificationStatus.NeedsReview, pensioner, rows, cancellationToken) != CycleCommandResult.NotFound) return true;
        await reviewIntake.RemoveForErasedAsync(pensioner.RegionCode, record.PensionerId, cancellationToken);
        return false;
    }

    /// <summary>
    /// The cycle's certification (certification.approved names the helper of a family-assisted one) and, for a
    /// family-assisted approval, its row in the separate count (idempotent per certification; no pensioner id in it).
    /// </summary>
    private async Task<CycleCommandResult> RecordApprovedAsync(CertificationRecord record, PensionerProfile? pensioner, Func<PensionerProfile, PensionerProfile>? amend,
        CertificationRows rows, CancellationToken cancellationToken)
    {
        var result = await cycle.RecordCertifiedAsync(record.PensionerId, record.SubmittedAt,
            new CertificationOrigin(record.Channel.ToWireName(), record.CertificationId) { AssistedBy = record.AssistedBy, DecisionSource = DecisionSources.Worker },
            pensioner, amend, rows, cancellationToken);
        // An approval not newer than the pensioner's last certification (an older submission decided after a later one)
        // changes nothing in the cycle, but it is still announced: every decision reaches the pensioner.
        if (result == CycleCommandResult.Stale)
            result = await cycle.AnnounceDecisionAsync(record.PensionerId, Events.EventTypes.CertificationApproved, record.CertificationId,
                record.Channel.ToWireName(), Guidance.ForStatus(CertificationStatus.Approved), DecisionSources.Worker, pensioner, rows, holdsSuspension: true, cancellationToken);
        if (result == CycleCommandResult.NotFound || record.AssistedBy is not { } helperId || assistedApprovals is null) return result;
        var region = (pensioner ?? await pensioners.GetAsync(record.PensionerId, cancellationToken))?.RegionCode;
        if (region is null) return CycleCommandResult.NotFound;
        await assistedApprovals.RecordAsync(new FamilyHelpers.AssistedApproval(region, record.CertificationId, helperId, record.Channel.ToWireName(), record.SubmittedAt), cancellationToken);
        return result;
    }

    /// <summary>
    /// Removes a certification whose pensioner was erased: the selfie, the retention entries (the record's and
    /// <paramref name="scheduledOn"/>'s), the index rows and the record last, so a crash part-way is finished by the
    /// redelivered message.
    /// </summary>
    public async Task RemoveErasedAsync(CertificationRecord record, DateOnly? scheduledOn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await photos.DeleteAsync(PhotoContainer.Selfies, record.SelfieBlobName, cancellationToken);
        var entries = SelfieNames.IsDated(record.SelfieBlobName) ? [] : new[] { record.SelfieDeleteOn, scheduledOn }.OfType<DateOnly>().Distinct()
            .Select(on => new SelfieRetentionEntry(on, record.CertificationId)).ToArray();
        if (entries.Length > 0) await retentionIndex.RemoveAsync(entries, cancellationToken);
        await pensioners.RemoveCertificationAsync(record.PensionerId, record.CertificationId, cancellationToken);
        await inFlight.RemoveAsync(new InFlightCertification(record.SubmittedAt, record.CertificationId), cancellationToken);
        await certifications.DeleteAsync(record.CertificationId, cancellationToken);
        LogRemovedErased(logger, record.CertificationId, record.PensionerId);
    }

    /// <summary>Removes the in-flight entry of a decided certification (no error if it is gone already).</summary>
    public Task ForgetInFlightAsync(CertificationRecord record, CancellationToken cancellationToken) =>
        inFlight.RemoveAsync(new InFlightCertification(record.SubmittedAt, record.CertificationId), cancellationToken);

    /// <summary>
    /// A delivery (or the poison handler) that finds <paramref name="record"/> decided: when the worker wrote the status
    /// in the cycle change's transaction (a record in the pensioner's partition), the one step after that transaction,
    /// placing the pensioner at their next action date, may have been lost with its response or its host: it is done
    /// again (an idempotent upsert, skipped when the pensioner is gone). Then an in-flight entry (older certifications) goes.
    /// </summary>
    public async Task FinishDecidedAsync(CertificationRecord record, PensionerProfile? pensioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (pensioner is not null && record.DecisionSource == DecisionSources.Worker && Ids.PensionerIdOf(record.CertificationId) is not null)
            await cycle.ScheduleAsync(pensioner, cancellationToken);
        // Only a certification submitted before selfies were named by date has an in-flight entry to remove.
        if (!SelfieNames.IsDated(record.SelfieBlobName)) await ForgetInFlightAsync(record, cancellationToken);
    }

    /// <summary>True for a certification decided as a replayed reference photo (probe-matches-reference).</summary>
    private static bool IsReplay(CertificationRecord record) => record.ReasonCodes.Contains(Reasons.ProbeMatchesReference.Code);

    /// <summary>Decisions with effects outside the record get their intent written first (every decision is announced).</summary>
    private static bool HasEffects(CertificationRecord record) => record.IntendedStatus is not null;

    /// <summary>
    /// Decisions whose first effect is the cycle change in the pensioner's partition: their intent is written in that
    /// transaction (<see cref="CertificationRows.Intent"/>) rather than into the record beforehand.
    /// </summary>
    private static bool IntentRidesWithCycleChange(CertificationStatus status) =>
        status is CertificationStatus.Approved or CertificationStatus.Rejected or CertificationStatus.Failed;

    /// <summary>
    /// The rows the cycle change of <paramref name="record"/>'s decision writes with it: the intent, a counted rejection,
    /// and <paramref name="final"/> (the record with its final status) when it may ride along (<see cref="RidesWithCycleChange"/>).
    /// </summary>
    private static CertificationRows RowsOf(CertificationRecord record, CertificationRecord? final = null) => new(record.CertificationId)
    {
        Intent = CertificationIntent.Of(record),
        FailedAttemptOn = record.IntendedStatus == CertificationStatus.Rejected ? AttemptLimiter.CountsOn(record) : null,
        Decided = final is not null && RidesWithCycleChange(final) ? final : null,
    };

    /// <summary>
    /// True when <paramref name="record"/> lives in its pensioner's partition (its id names the pensioner) and was read
    /// from storage (its ETag guards the write): its final status can be written in the cycle change's transaction.
    /// </summary>
    private static bool RidesWithCycleChange(CertificationRecord record) => Ids.PensionerIdOf(record.CertificationId) is not null && record.ETag is not null;

    /// <summary>
    /// The record with the status <see cref="CertificationRecord.IntendedStatus"/>, the decision time and the selfie's
    /// deletion date, which is scheduled here, before the status is written anywhere: a crash in between leaves an entry
    /// the purge handles either way.
    /// </summary>
    private async Task<CertificationRecord> PrepareDecisionAsync(CertificationRecord record, CancellationToken cancellationToken)
    {
        var decidedAt = timeProvider.GetUtcNow();
        // The purge finds a dated selfie by its name; an older one is scheduled here, before the decision is written (a
        // crash in between leaves an entry the purge handles either way).
        var deleteOn = await retention.ScheduleAsync(record, decidedAt, cancellationToken);
        return record with
        {
            Status = record.IntendedStatus!.Value,
            IntendedStatus = null,
            DecidedAt = decidedAt,
            SelfieDeleteOn = deleteOn,
            DecisionSource = DecisionSources.Worker,
            Guidance = Guidance.ForStatus(record.IntendedStatus!.Value),
        };
    }

    /// <summary>
    /// Writes the status <see cref="CertificationRecord.IntendedStatus"/> with the decision time and the selfie's deletion
    /// date, and counts the decision (<see cref="Definitions.TelemetryNames.Decisions"/>; <paramref name="regionCode"/> null when unknown).
    /// </summary>
    private async Task WriteDecisionAsync(CertificationRecord record, string? regionCode, CancellationToken cancellationToken) =>
        await StoreDecisionAsync(await PrepareDecisionAsync(record, cancellationToken), stored: false, regionCode, cancellationToken);

    /// <summary>
    /// Writes <paramref name="final"/> unless the cycle change's transaction <paramref name="stored"/> it already, then
    /// stops watching the certification and counts the decision.
    /// </summary>
    private async Task StoreDecisionAsync(CertificationRecord final, bool stored, string? regionCode, CancellationToken cancellationToken)
    {
        if (!stored)
        {
            try
            {
                await certifications.UpdateAsync(final, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                var current = await certifications.GetAsync(final.CertificationId, cancellationToken);
                if (current is null)
                {
                    // The record was erased while this decision was made: remove what this worker added (the retention entry).
                    await RemoveErasedAsync(final, final.SelfieDeleteOn, cancellationToken);
                    return;
                }
                // Decided meanwhile: an earlier attempt's transaction stored this decision (its response was lost).
                if (!current.Status.IsDecided())
                {
                    // Changed only by this decision's intent (written into the record's row with the cycle change, when
                    // the change was retried on a profile read again): the status goes over it. Any other change: retry.
                    if (current.IntendedStatus != final.Status) throw;
                    await certifications.UpdateAsync(final with { ETag = current.ETag, RequeuedAt = current.RequeuedAt }, cancellationToken);
                }
            }
        }
        // The decision is stored. A certification submitted before selfies were named by date has an in-flight entry the
        // sweep no longer needs (a crash before this leaves it to the sweep, which removes entries of decided records,
        // as it does for the rare entry it added itself when it re-queued a certification).
        if (!SelfieNames.IsDated(final.SelfieBlobName))
            await inFlight.RemoveAsync(new InFlightCertification(final.SubmittedAt, final.CertificationId), cancellationToken);
        LogDecided(logger, final.CertificationId, final.Status, final.Similarity, final.LivenessScore);
        Telemetry.PensionCertTelemetry.RecordDecision(regionCode, final.Channel.ToWireName(), final.Status.ToString(), final.ReasonCodes.FirstOrDefault());
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Certification {CertificationId} decided {Status} (similarity {Similarity}, liveness {Liveness})")]
    private static partial void LogDecided(ILogger logger, string certificationId, CertificationStatus status, double? similarity, double? liveness);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Certification {CertificationId}: pensioner {PensionerId}'s reference photo replayed again while a replay review is open; rejected without a further case")]
    private static partial void LogReplayRejected(ILogger logger, string certificationId, string pensionerId);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Certification {CertificationId}: pensioner {PensionerId} was erased; selfie, record and index row removed")]
    private static partial void LogRemovedErased(ILogger logger, string certificationId, string pensionerId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "Certification {CertificationId} given up after {Attempts} attempt(s): {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string certificationId, int attempts, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Certification {CertificationId}: certification.failed could not be announced ({ErrorType}); Failed is recorded")]
    private static partial void LogAnnounceFailed(ILogger logger, string certificationId, string errorType);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Certification {CertificationId}: its intended decision could not be completed ({ErrorType})")]
    private static partial void LogCompletionFailed(ILogger logger, string certificationId, string errorType);
}
