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
    DateTimeOffset EnrolledAt, EligibilityState State, DateOnly? ValidUntil);

/// <summary>
/// Operator-facing reads and changes of pensioner records. Every method enforces the operator's regions: a pensioner
/// outside them is <c>region-not-served</c> (403), the same answer whether or not they exist elsewhere.
/// </summary>
public sealed partial class PensionerAdministrationService(
    EligibilityService eligibility,
    IPensionerRepository pensioners,
    ICertificationRepository certifications,
    IPhotoStore photos,
    ISelfieRetentionIndex selfieRetention,
    IReviewCaseStore reviewCases,
    Microsoft.Extensions.Logging.ILogger<PensionerAdministrationService> logger)
{
    /// <summary>Reads one pensioner for an operator; the full ID number only for a role that may see it and only when asked.</summary>
    /// <exception cref="ProblemException">pensioner-not-found (404), region-not-served (403).</exception>
    public async Task<PensionerView> GetAsync(string pensionerId, OperatorPrincipal @operator, bool revealIdNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        var profile = await RequireServedAsync(pensionerId, @operator, cancellationToken);
        var reveal = revealIdNumber && @operator.MaySeeFullIdNumber && profile.IdNumber is not null;
        return new PensionerView(profile.PensionerId, reveal ? profile.IdNumber! : profile.MaskedIdNumber, reveal, profile.Name, profile.RegionCode,
            profile.ReferenceVersion, profile.EnrolledAt, eligibility.StateOf(profile), profile.ValidUntil);
    }

    /// <summary>
    /// Erases a pensioner (admin only; region checked): every selfie, certification record and retention entry, every
    /// reference photo, the ID-number-hash index entry and every row of the pensioner, the profile last, so an erasure
    /// interrupted by an outage is finished by running it again. Returns counts for the audit row (no personal data).
    /// </summary>
    /// <exception cref="ProblemException">role-not-allowed (403), pensioner-not-found (404), region-not-served (403).</exception>
    public async Task<ErasureResult> EraseAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        if (@operator.Role != OperatorRole.Admin) throw new ProblemException(ProblemTypes.RoleNotAllowed);
        var profile = await RequireServedAsync(pensionerId, @operator, cancellationToken);

        var certificationIds = await pensioners.ListCertificationIdsAsync(profile.PensionerId, cancellationToken);
        foreach (var certificationId in certificationIds)
        {
            var record = await certifications.GetAsync(certificationId, cancellationToken);
            await photos.DeleteAsync(PhotoContainer.Selfies, record?.SelfieBlobName ?? certificationId, cancellationToken);
            if (record?.SelfieDeleteOn is { } deleteOn)
                await selfieRetention.RemoveAsync([new SelfieRetentionEntry(deleteOn, certificationId)], cancellationToken);
            await certifications.DeleteAsync(certificationId, cancellationToken);
        }
        await reviewCases.DeleteForPensionerAsync(profile.RegionCode, profile.PensionerId, cancellationToken);
        var references = await photos.DeleteByPrefixAsync(PhotoContainer.References, profile.PensionerId + "/", cancellationToken);
        var rows = await pensioners.DeleteAsync(profile.PensionerId, profile.IdNumberHash, cancellationToken);
        LogErased(logger, profile.PensionerId, certificationIds.Count, references, rows);
        return new ErasureResult(profile.PensionerId, certificationIds.Count, references, rows);
    }

    /// <summary>Review cases opened on <paramref name="day"/> in the operator's regions.</summary>
    public Task<IReadOnlyList<ReviewCase>> ListReviewCasesAsync(DateOnly day, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        var prefixes = @operator.Regions.Select(r => r.EndsWith("0000", StringComparison.Ordinal) ? r[..2] : r.EndsWith("00", StringComparison.Ordinal) ? r[..4] : r).ToArray();
        return reviewCases.ListAsync(day, prefixes, cancellationToken);
    }

    /// <summary>Reads a profile and checks the operator serves its region.</summary>
    /// <exception cref="ProblemException">pensioner-not-found (404), region-not-served (403).</exception>
    internal async Task<PensionerProfile> RequireServedAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        var profile = (Ids.IsPensionerId(pensionerId) ? await pensioners.GetAsync(pensionerId, cancellationToken) : null)
            ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        if (!@operator.Serves(profile.RegionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
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
        Message = "Pensioner {PensionerId} erased: {Certifications} certifications, {ReferencePhotos} reference photos, {Rows} rows")]
    private static partial void LogErased(Microsoft.Extensions.Logging.ILogger logger, string pensionerId, int certifications, int referencePhotos, int rows);
}
