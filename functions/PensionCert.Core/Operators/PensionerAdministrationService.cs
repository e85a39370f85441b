using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Operators;

/// <summary>A pensioner as an operator sees it.</summary>
/// <param name="PensionerId">Opaque id.</param>
/// <param name="IdNumber">The ID number, masked (e.g. <c>110101********123X</c>) unless <paramref name="IdNumberRevealed"/>.</param>
/// <param name="IdNumberRevealed">True when <paramref name="IdNumber"/> is the full number (admin, on request).</param>
/// <param name="Name">Name as on the ID card.</param>
/// <param name="RegionCode">Six-digit GB/T 2260 code of the enrollment.</param>
/// <param name="ReferenceVersion">Current reference photo version.</param>
/// <param name="EnrolledAt">When the current reference was enrolled.</param>
/// <param name="State">Eligibility state today (China Standard Time).</param>
/// <param name="ValidUntil">Last China date the current certification is valid.</param>
public sealed record PensionerView(
    string PensionerId, string IdNumber, bool IdNumberRevealed, string Name, string RegionCode, int ReferenceVersion,
    DateTimeOffset EnrolledAt, EligibilityState State, DateOnly? ValidUntil)
{
    /// <summary>Where the current reference photo came from (<c>live-capture</c>, <c>id-photo</c>).</summary>
    public string ReferenceSource { get; init; } = Enrollment.ReferenceSources.LiveCapture;
}

/// <summary>
/// Operator-facing reads and changes of pensioner records. Every method enforces the operator's regions: a pensioner
/// outside them is <c>pensioner-not-found</c> (404), exactly the answer for an id nobody has, so an operator cannot
/// learn whether someone is enrolled elsewhere; the audit row records the out-of-region attempt.
/// </summary>
public sealed partial class PensionerAdministrationService(
    EligibilityService eligibility,
    IPensionerRepository pensioners,
    ICertificationRepository certifications,
    IPhotoStore photos,
    ISelfieRetentionIndex selfieRetention,
    Review.IReviewCaseStore reviewCases,
    CycleService cycle,
    ICycleReadModel readModel,
    IOutboxStore outbox,
    TimeProvider timeProvider,
    Microsoft.Extensions.Logging.ILogger<PensionerAdministrationService> logger,
    IEnumerable<IPensionerErasureParticipant>? erasureParticipants = null)
{
    /// <summary>Reads one pensioner for an operator; the full ID number only for a role that may see it and only when asked.</summary>
    /// <exception cref="ProblemException">pensioner-not-found (404), region-not-served (403).</exception>
    public async Task<PensionerView> GetAsync(string pensionerId, OperatorPrincipal @operator, bool revealIdNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        var profile = await RequireServedAsync(pensionerId, @operator, cancellationToken);
        var reveal = revealIdNumber && @operator.MaySeeFullIdNumber && profile.IdNumber is not null;
        return new PensionerView(profile.PensionerId, reveal ? profile.IdNumber! : profile.MaskedIdNumber, reveal, profile.Name, profile.RegionCode,
            profile.ReferenceVersion, profile.EnrolledAt, eligibility.StateOf(profile), profile.ValidUntil)
        { ReferenceSource = profile.ReferenceSource ?? Enrollment.ReferenceSources.LiveCapture };
    }

    /// <summary>
    /// Erases a pensioner (admin only; region checked; only once the pension ended: Deceased or Transferred, otherwise
    /// 409 erasure-while-drawing-pension). First a tombstone keyed by the ID number hash is written
    /// (<see cref="ErasedIdentity"/>); payment changes already issued (PaymentChanges) stay. What goes, in this order:
    /// <list type="number">
    /// <item>every certification of the pensioner: its selfie blob, its selfie-retention entry and its record (deleted
    /// only if unchanged since read, so a decision written meanwhile is read again for its retention entry);</item>
    /// <item>the pensioner's review cases and every reference photo (current and superseded);</item>
    /// <item>the sweep outside the pensioner's partition: the region-list row (RegionPensioners), pending outbox pointers (OutboxIndex) and due-date index entries (CycleDueIndex);</item>
    /// <item>the ID-number-hash index entry (PensionerIdentities) and every row of the pensioner's partition in
    /// Pensioners (reference history, failed attempts, outbox rows), the profile last and only if it did not change
    /// meanwhile;</item>
    /// <item>then, with the profile gone, every certification still indexed (one submitted or decided while the
    /// erasure ran) as in step 1 with its index row, the sweep once more, and the review cases once more, for what a
    /// worker that read the profile before it went wrote in between.</item>
    /// </list>
    /// The operator audit rows of the pensioner (OperatorAudit, no personal data) are kept, this erasure's included.
    /// Idempotency keys hold only a certification id and a hash and expire with the key lifetime.
    /// <para>
    /// An erasure interrupted by an outage is finished by running it again (the profile goes last). A certification
    /// submitted while the erasure runs may still write its record, selfie and index row; the verification worker
    /// finds the profile gone and removes them within seconds (see <see cref="Certification.CertificationProcessor"/>).
    /// Nothing the worker or the cycle does afterwards recreates a row in the pensioner's partition: profile changes
    /// are ETag-conditional and failed attempts are written in one transaction with the profile.
    /// </para>
    /// Returns counts for the audit row (no personal data).
    /// </summary>
    /// <exception cref="ProblemException">role-not-allowed (403), pensioner-not-found (404), region-not-served (403), erasure-while-drawing-pension (409).</exception>
    public async Task<ErasureResult> EraseAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        if (@operator.Role != OperatorRole.Admin) throw new ProblemException(ProblemTypes.RoleNotAllowed);
        if (Ids.IsPensionerId(pensionerId) && await pensioners.GetAsync(pensionerId, cancellationToken) is null)
            return await FinishInterruptedErasureAsync(pensionerId, cancellationToken);
        var profile = await RequireServedAsync(pensionerId, @operator, cancellationToken);
        // PIPL erasure applies once the purpose ended: a pensioner still drawing (or entitled to) a pension is refused;
        // the death (two admins) or the transfer is recorded first.
        if (profile.Standing is not (PensionerStanding.Deceased or PensionerStanding.Transferred))
            throw new ProblemException(ProblemTypes.ErasureWhileDrawingPension);
        // The tombstone first (hash, dates, standing, staff id only): a re-enrolment of the ID number never revives the
        // dead nor takes another face without a second admin, even if the erasure below is interrupted.
        if (await pensioners.GetErasedAsync(profile.IdNumberHash, cancellationToken) is null)
            await pensioners.SaveErasedAsync(new ErasedIdentity(profile.IdNumberHash, timeProvider.GetUtcNow(), profile.Standing, @operator.Subject), cancellationToken);

        var certificationIds = await pensioners.ListCertificationIdsAsync(profile.PensionerId, cancellationToken);
        foreach (var certificationId in certificationIds)
            await EraseCertificationAsync(certificationId, cancellationToken);
        await reviewCases.DeleteForPensionerAsync(profile.RegionCode, profile.PensionerId, cancellationToken);
        var references = await photos.DeleteByPrefixAsync(PhotoContainer.References, profile.PensionerId + "/", cancellationToken);
        var swept = await SweepAsync(profile, cancellationToken);
        var rows = await pensioners.DeleteAsync(profile.PensionerId, profile.IdNumberHash, cancellationToken);
        // The profile is gone: no writer can start anything for the pensioner now, but one that read the profile
        // before may have submitted or decided a certification since the listing above, or written outside the
        // partition since the first sweep. Every certification indexed now (the first ones again: their index rows
        // are still there) is erased and its index row removed; later ones are removed by the worker.
        var indexed = await pensioners.ListCertificationIdsAsync(profile.PensionerId, cancellationToken);
        foreach (var certificationId in indexed)
        {
            await EraseCertificationAsync(certificationId, cancellationToken);
            await pensioners.RemoveCertificationAsync(profile.PensionerId, certificationId, cancellationToken);
        }
        rows += indexed.Count;
        swept += await SweepAsync(profile, cancellationToken);
        await reviewCases.DeleteForPensionerAsync(profile.RegionCode, profile.PensionerId, cancellationToken);
        LogErased(logger, profile.PensionerId, certificationIds.Count, references, rows, swept);
        return new ErasureResult(profile.PensionerId, certificationIds.Count, references, rows);
    }

    /// <summary>
    /// An erasure interrupted after the profile went (storage failed, or its response was lost) is finished by running it
    /// again: what is left are certification index rows (ids only) and the certifications they name, which are erased
    /// here. The region cannot be checked any more (the profile is gone), and nothing here identifies anyone; with
    /// nothing left the pensioner is not found.
    /// </summary>
    private async Task<ErasureResult> FinishInterruptedErasureAsync(string pensionerId, CancellationToken cancellationToken)
    {
        var left = await pensioners.ListCertificationIdsAsync(pensionerId, cancellationToken);
        if (left.Count == 0) throw new ProblemException(ProblemTypes.PensionerNotFound);
        foreach (var certificationId in left)
        {
            await EraseCertificationAsync(certificationId, cancellationToken);
            await pensioners.RemoveCertificationAsync(pensionerId, certificationId, cancellationToken);
        }
        LogErasureFinished(logger, pensionerId, left.Count);
        return new ErasureResult(pensionerId, left.Count, 0, left.Count);
    }

    private async Task EraseCertificationAsync(string certificationId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var record = await certifications.GetAsync(certificationId, cancellationToken);
            await photos.DeleteAsync(PhotoContainer.Selfies, record?.SelfieBlobName ?? certificationId, cancellationToken);
            if (record?.SelfieDeleteOn is { } deleteOn)
                await selfieRetention.RemoveAsync([new SelfieRetentionEntry(deleteOn, certificationId)], cancellationToken);
            if (record is null) return;
            if (await certifications.TryDeleteAsync(record, cancellationToken)) return;
            // The worker wrote the record meanwhile (e.g. its decision and retention date): read it again.
            if (attempt >= MaxErasePasses) throw new ConcurrencyConflictException("The certification record kept changing during the erasure.");
        }
    }

    /// <summary>Rows of the pensioner outside their partition: read models, outbox pointers and due-date index entries.</summary>
    private async Task<int> SweepAsync(PensionerProfile profile, CancellationToken cancellationToken)
    {
        // Payment changes already issued stay: they are payroll's record of a stop (opaque id and dates only).
        var removed = await readModel.RemoveFromRegionListAsync(profile.RegionCode, profile.PensionerId, cancellationToken);
        removed += await outbox.RemovePointersForPensionerAsync(profile.PensionerId, cancellationToken);
        await cycle.UnscheduleAllAsync(profile, cancellationToken);
        foreach (var participant in erasureParticipants ?? [])
            removed += await participant.EraseAsync(profile.RegionCode, profile.PensionerId, cancellationToken);
        return removed;
    }

    private const int MaxErasePasses = 10;

    /// <summary>Reads a profile and checks the operator serves its region.</summary>
    /// <exception cref="ProblemException">pensioner-not-found (404, also for a pensioner outside the operator's regions: <see cref="ProblemException.OutsideRegions"/>).</exception>
    internal async Task<PensionerProfile> RequireServedAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        var profile = (Ids.IsPensionerId(pensionerId) ? await pensioners.GetAsync(pensionerId, cancellationToken) : null)
            ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        if (!@operator.Serves(profile.RegionCode)) throw ProblemException.OutsideRegions(profile.PensionerId);
        return profile;
    }
}

/// <summary>What an erasure removed (counts only).</summary>
/// <param name="PensionerId">The erased pensioner's (now unused) id.</param>
/// <param name="Certifications">Certification records and their selfies.</param>
/// <param name="ReferencePhotos">Reference photo blobs (current and superseded).</param>
/// <param name="PensionerRows">Profile, history and index rows.</param>
public sealed record ErasureResult(string PensionerId, int Certifications, int ReferencePhotos, int PensionerRows);

public sealed partial class PensionerAdministrationService
{
    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 6001, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Pensioner {PensionerId} erased: {Certifications} certifications, {ReferencePhotos} reference photos, {Rows} rows, {ReadModelRows} read-model and outbox-index rows")]
    private static partial void LogErased(Microsoft.Extensions.Logging.ILogger logger, string pensionerId, int certifications, int referencePhotos, int rows, int readModelRows);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 6002, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Interrupted erasure of pensioner {PensionerId} finished: {Certifications} certifications left were erased")]
    private static partial void LogErasureFinished(Microsoft.Extensions.Logging.ILogger logger, string pensionerId, int certifications);
}

/// <summary>
/// Something else that holds data of a pensioner (home visits, family helpers) and must go with an erasure. Called
/// before and again after the profile is deleted (so a row written in between goes too); must be idempotent.
/// </summary>
public interface IPensionerErasureParticipant
{
    /// <summary>Deletes everything of the pensioner this participant holds; returns how many rows.</summary>
    Task<int> EraseAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);
}
