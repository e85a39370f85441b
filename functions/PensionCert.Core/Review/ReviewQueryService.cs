using System.Globalization;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Photos;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Review;

/// <summary>List filters; all optional.</summary>
/// <param name="RegionCode">Only this region (six digits; a province or prefecture code covers its counties); must be served.</param>
/// <param name="Reason">Only this reason (<see cref="ReviewReasons"/>).</param>
/// <param name="State">Only this state (default Open).</param>
/// <param name="MinAgeDays">Only cases opened at least this many days ago.</param>
/// <param name="Day">Only cases of this China date.</param>
/// <param name="PageSize">1-200 (default 50).</param>
/// <param name="ContinuationToken">From the previous page.</param>
public sealed record ReviewCaseFilter(string? RegionCode, string? Reason, ReviewCaseState? State, int? MinAgeDays, DateOnly? Day, int? PageSize, string? ContinuationToken);

/// <summary>A page of cases, oldest first, with the age of the oldest open case of the operator's (filtered) regions.</summary>
public sealed record ReviewCasePage(IReadOnlyList<ReviewCase> Cases, string? ContinuationToken, int OpenCases, DateTimeOffset? OldestOpenSince, TimeSpan? OldestOpenAge);

/// <summary>One case with what a reviewer needs to decide it.</summary>
/// <param name="Case">The case.</param>
/// <param name="Certification">The certification under review (certification cases), with scores, thresholds and reasons.</param>
/// <param name="RecentAttempts">The pensioner's most recent certifications, newest first.</param>
/// <param name="ReferenceVersion">The pensioner's current reference version.</param>
/// <param name="Photos">Photo kinds served for this case (<c>reference</c>, <c>probe</c>).</param>
public sealed record ReviewCaseDetails(ReviewCase Case, CertificationRecord? Certification, IReadOnlyList<CertificationRecord> RecentAttempts, int ReferenceVersion, IReadOnlyList<string> Photos);

/// <summary>A photo for a reviewer: bytes and media type.</summary>
public sealed record ReviewPhoto(byte[] Content, string ContentType, string PensionerId);

/// <summary>
/// What reviewers read: case lists of their regions (oldest first, filtered, paged), one case with the certification,
/// scores and the pensioner's recent attempts, and the reference and probe photos. Every read checks the region.
/// </summary>
public sealed class ReviewQueryService(
    IReviewCaseStore cases,
    ICertificationRepository certifications,
    IPensionerRepository pensioners,
    IPhotoStore photos,
    IOptions<ReviewOptions> options,
    TimeProvider timeProvider)
{
    /// <summary>Photo kind: the pensioner's current reference photo.</summary>
    public const string ReferencePhoto = "reference";

    /// <summary>Photo kind: the probe (the selfie under review; for a reference change or an ID-photo enrolment, the proposed reference photo).</summary>
    public const string ProbePhoto = "probe";

    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    /// <summary>Lists cases of the operator's regions.</summary>
    /// <exception cref="ProblemException">invalid-review-filter, invalid-continuation-token, region-not-served.</exception>
    public async Task<ReviewCasePage> ListAsync(OperatorPrincipal reviewer, ReviewCaseFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        ArgumentNullException.ThrowIfNull(filter);
        var pageSize = filter.PageSize ?? DefaultPageSize;
        if (pageSize is < 1 or > MaxPageSize) throw new ProblemException(ProblemTypes.InvalidReviewFilter, "pageSize 应为 1 至 200。");
        if (filter.MinAgeDays is < 0 or > 3650) throw new ProblemException(ProblemTypes.InvalidReviewFilter, "minAgeDays 应为 0 至 3650。");
        if (filter.Reason is { } reason && !ReviewReasons.All.Contains(reason)) throw new ProblemException(ProblemTypes.InvalidReviewFilter, "reason 应为：" + string.Join("、", ReviewReasons.All) + "。");
        var offset = 0;
        if (!string.IsNullOrEmpty(filter.ContinuationToken)
            && !(filter.ContinuationToken.StartsWith('o') && int.TryParse(filter.ContinuationToken.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
            throw new ProblemException(ProblemTypes.InvalidContinuationToken);

        string[] prefixes;
        if (filter.RegionCode is { } region)
        {
            if (!Identity.AdministrativeRegionCode.TryParse(region, out _)) throw new ProblemException(ProblemTypes.InvalidRegionCode);
            if (!reviewer.Serves(region)) throw new ProblemException(ProblemTypes.RegionNotServed);
            prefixes = [Prefix(region)];
        }
        else prefixes = reviewer.Regions.Select(Prefix).ToArray();

        var now = timeProvider.GetUtcNow();
        var state = filter.State ?? ReviewCaseState.Open;
        var inRegions = (await cases.ListAsync(prefixes, state, cancellationToken)).Where(c => reviewer.Serves(c.RegionCode)).ToArray();
        var open = state == ReviewCaseState.Open ? inRegions : (await cases.ListAsync(prefixes, ReviewCaseState.Open, cancellationToken)).Where(c => reviewer.Serves(c.RegionCode)).ToArray();
        var oldest = open.MinBy(c => c.OpenedAt);
        var matching = inRegions
            .Where(c => filter.Reason is null || c.Reason == filter.Reason)
            .Where(c => filter.Day is null || c.Day == filter.Day)
            .Where(c => filter.MinAgeDays is null || c.AgeAt(now) >= TimeSpan.FromDays(filter.MinAgeDays.Value))
            .OrderBy(c => c.OpenedAt).ThenBy(c => c.CaseId, StringComparer.Ordinal)
            .ToArray();
        var page = matching.Skip(offset).Take(pageSize).ToArray();
        var next = offset + page.Length < matching.Length ? "o" + (offset + page.Length).ToString(CultureInfo.InvariantCulture) : null;
        return new ReviewCasePage(page, next, open.Length, oldest?.OpenedAt, oldest is null ? null : oldest.AgeAt(now));
    }

    /// <summary>Reads one case with its certification and the pensioner's recent attempts.</summary>
    /// <exception cref="ProblemException">review-case-not-found, region-not-served.</exception>
    public async Task<ReviewCaseDetails> GetAsync(OperatorPrincipal reviewer, string caseId, CancellationToken cancellationToken)
    {
        var reviewCase = await RequireAsync(reviewer, caseId, cancellationToken);
        var certification = reviewCase.CertificationId is { } id ? await certifications.GetAsync(id, cancellationToken) : null;
        var profile = await pensioners.GetAsync(reviewCase.PensionerId, cancellationToken);
        var recent = new List<CertificationRecord>();
        if (profile is not null)
        {
            var ids = await pensioners.ListCertificationIdsAsync(reviewCase.PensionerId, cancellationToken);
            var records = await Task.WhenAll(ids.Select(i => certifications.GetAsync(i, cancellationToken)));
            recent.AddRange(records.OfType<CertificationRecord>().OrderByDescending(r => r.SubmittedAt).Take(options.Value.RecentAttempts));
        }
        var kinds = new List<string>();
        if (profile is not null) kinds.Add(ReferencePhoto);
        if (ProbeBlob(reviewCase, certification) is not null) kinds.Add(ProbePhoto);
        return new ReviewCaseDetails(reviewCase, certification, recent, profile?.ReferenceVersion ?? 0, kinds);
    }

    /// <summary>
    /// Reads a photo of a case for a reviewer of its region: <c>reference</c> (the pensioner's current reference) or
    /// <c>probe</c> (the selfie under review, or the new reference photo of a reference change).
    /// </summary>
    /// <exception cref="ProblemException">review-case-not-found, region-not-served, review-photo-unavailable.</exception>
    public async Task<ReviewPhoto> GetPhotoAsync(OperatorPrincipal reviewer, string caseId, string kind, CancellationToken cancellationToken)
    {
        var reviewCase = await RequireAsync(reviewer, caseId, cancellationToken);
        (PhotoContainer Container, string? Blob) target = kind switch
        {
            ReferencePhoto => (PhotoContainer.References, (await pensioners.GetAsync(reviewCase.PensionerId, cancellationToken))?.ReferenceBlobName),
            ProbePhoto => HoldsProposedReference(reviewCase)
                ? (PhotoContainer.References, reviewCase.Subject)
                : (PhotoContainer.Selfies, ProbeBlob(reviewCase, reviewCase.CertificationId is { } id ? await certifications.GetAsync(id, cancellationToken) : null)),
            _ => (PhotoContainer.Selfies, null),
        };
        var bytes = target.Blob is null ? null : await photos.DownloadAsync(target.Container, target.Blob, cancellationToken);
        if (bytes is null) throw new ProblemException(ProblemTypes.ReviewPhotoUnavailable);
        var format = PhotoFormatSniffer.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, PhotoFormatSniffer.HeaderLength)));
        return new ReviewPhoto(bytes, format is PhotoFormat.Jpeg or PhotoFormat.Png or PhotoFormat.WebP ? PhotoFormatSniffer.ContentType(format) : "application/octet-stream", reviewCase.PensionerId);
    }

    /// <summary>Reference changes and ID-photo enrolments: the probe is the proposed reference photo (<see cref="ReviewCase.Subject"/>).</summary>
    private static bool HoldsProposedReference(ReviewCase reviewCase) => reviewCase.Reason is ReviewReasons.ReferenceChange or ReviewReasons.IdPhotoEnrollment;

    private static string? ProbeBlob(ReviewCase reviewCase, CertificationRecord? certification) =>
        HoldsProposedReference(reviewCase) ? reviewCase.Subject
        : certification is { SelfieDeletedAt: null } ? certification.SelfieBlobName : null;

    private async Task<ReviewCase> RequireAsync(OperatorPrincipal reviewer, string caseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        var reviewCase = await cases.GetAsync(caseId, cancellationToken) ?? throw new ProblemException(ProblemTypes.ReviewCaseNotFound);
        if (!reviewer.Serves(reviewCase.RegionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
        return reviewCase;
    }

    /// <summary>The table key prefix of a served region code (province: 2 digits, prefecture: 4, county: 6).</summary>
    internal static string Prefix(string region) =>
        region.EndsWith("0000", StringComparison.Ordinal) ? region[..2] : region.EndsWith("00", StringComparison.Ordinal) ? region[..4] : region;
}
