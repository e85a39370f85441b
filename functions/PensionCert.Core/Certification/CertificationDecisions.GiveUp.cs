using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>Giving up a certification whose verification will not run again.</summary>
public sealed partial class CertificationDecisions
{
    /// <summary>
    /// Ends a certification whose verification will not run again (the last delivery failed, the message was poisoned,
    /// or the stale sweep gave up): a decision already intended is completed; otherwise the record becomes Failed with
    /// <paramref name="reason"/>. Idempotent: a decided record is left as it is. A record-less certification (its
    /// submission died before the record) has its selfie deleted. <paramref name="attempts"/> is the deliveries the
    /// caller knows of (the poison trigger: the queue's maxDequeueCount, the deliveries that ran before it poisoned).
    /// <paramref name="selfieBlobName"/> is the selfie's name when the caller knows it (the message, the sweep's listing);
    /// null means the certification id (selfies stored before they were named by date).
    /// </summary>
    public async Task GiveUpAsync(string certificationId, int attempts, Reason reason, CancellationToken cancellationToken, string? selfieBlobName = null)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var record = await certifications.GetAsync(certificationId, cancellationToken);
        if (record is null)
        {
            await photos.DeleteAsync(PhotoContainer.Selfies, selfieBlobName ?? certificationId, cancellationToken);
            return;
        }
        if (record.Status.IsDecided())
        {
            PensionerProfile? decidedFor = null;
            try
            {
                if (Ids.PensionerIdOf(certificationId) is not null) decidedFor = await pensioners.GetAsync(record.PensionerId, cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or StorageUnavailableException))
            {
                // An unreadable profile cannot be planned from; the certification stays decided.
            }
            await FinishDecidedAsync(record, decidedFor, cancellationToken);
            return;
        }
        var intentInPartition = false;
        if (record.IntendedStatus is null)
        {
            // A decision written with its cycle change (in the pensioner's partition) is completed, never replaced by Failed.
            CertificationIntent? intent = null;
            try
            {
                intent = (await pensioners.GetWithIntentAsync(record.PensionerId, record.CertificationId, cancellationToken)).Intent;
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or StorageUnavailableException))
            {
                // An unreadable profile: its partition holds no decision this store can read; the failure is recorded below.
            }
            if (intent is not null)
            {
                record = intent.ApplyTo(record);
                intentInPartition = true;
            }
        }
        if (record.IntendedStatus is not null)
        {
            try
            {
                await CompleteAsync(record, null, cancellationToken);
                return;
            }
            catch (Exception ex) when (!intentInPartition && ex is not (OperationCanceledException or StorageUnavailableException))
            {
                // The effects cannot be applied (e.g. an unreadable profile): then they were never applied, and the
                // certification ends Failed like any other that cannot be processed.
                LogCompletionFailed(logger, certificationId, ex.GetType().Name);
                record = await certifications.GetAsync(certificationId, cancellationToken);
                if (record is null || record.Status.IsDecided()) return;
            }
        }
        bool erased;
        string? regionCode = null;
        try
        {
            var profile = await pensioners.GetAsync(record.PensionerId, cancellationToken);
            erased = profile is null;
            regionCode = profile?.RegionCode;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StorageUnavailableException))
        {
            erased = false; // An unreadable profile (the likely reason for giving up) still exists: record the failure.
        }
        if (erased)
        {
            await RemoveErasedAsync(record, null, cancellationToken);
            return;
        }
        var failed = record with
        {
            IntendedStatus = CertificationStatus.Failed,
            Attempts = Math.Max(record.Attempts, attempts),
            ReasonCodes = [reason.Code],
        };
        try
        {
            if (await AnnounceAsync(failed, CertificationStatus.Failed, null, RowsOf(failed), cancellationToken) == CycleCommandResult.NotFound)
            {
                await RemoveErasedAsync(record, null, cancellationToken);
                return;
            }
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StorageUnavailableException))
        {
            // The profile that made the work fail may make the announcement fail too: the terminal state comes first.
            LogAnnounceFailed(logger, certificationId, ex.GetType().Name);
        }
        await WriteDecisionAsync(failed, regionCode, cancellationToken);
        LogGaveUp(logger, certificationId, Math.Max(record.Attempts, attempts), reason.Code);
    }
}
