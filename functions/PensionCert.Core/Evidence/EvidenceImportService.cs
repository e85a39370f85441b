using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Evidence;

/// <summary>One record of an evidence batch as received (unvalidated strings).</summary>
/// <param name="Line">1-based record number in the batch (data lines, header excluded).</param>
/// <param name="IdNumber">Citizen ID number.</param>
/// <param name="Type">Evidence type (see <see cref="EvidenceTypes"/>).</param>
/// <param name="Date">China date of the event, yyyy-MM-dd.</param>
/// <param name="Source">The agency that supplied it (must be trusted by the pensioner's region).</param>
/// <param name="Unreadable">True when the line could not be parsed at all (result invalid-record).</param>
public sealed record EvidenceRecord(int Line, string? IdNumber, string? Type, string? Date, string? Source, bool Unreadable = false);

/// <summary>Evidence types: proof of life (data comparison) and death records.</summary>
public static class EvidenceTypes
{
    /// <summary>Proof-of-life types: medical insurance settlement, hospital stay, bank counter visit, transport ticket, civil-affairs service.</summary>
    public static readonly IReadOnlySet<string> ProofOfLife = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "medical-settlement", "hospital-stay", "bank-counter", "transport-ticket", "civil-affairs-service",
    };

    /// <summary>Death types: civil-affairs death record, cremation, public-security household deregistration.</summary>
    public static readonly IReadOnlySet<string> Death = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "death-civil-affairs", "death-cremation", "death-deregistration",
    };
}

/// <summary>Per-record results (stable codes).</summary>
public static class EvidenceResults
{
    public const string Certified = "certified";
    public const string Deceased = "deceased";
    public const string AlreadyApplied = "already-applied";
    public const string Stale = "stale";
    public const string UnknownPerson = "unknown-person";
    public const string UntrustedSource = "untrusted-source";
    public const string Inactive = "inactive";
    public const string InvalidIdNumber = "invalid-id-number";
    public const string InvalidType = "invalid-type";
    public const string InvalidDate = "invalid-date";
    public const string InvalidRecord = "invalid-record";

    /// <summary>The pensioner is enrolled in a region the importing operator does not serve: refused, nothing applied, no pensioner id returned.</summary>
    public const string RegionNotServed = "region-not-served";

    /// <summary>The record's date is after today (China Standard Time): refused.</summary>
    public const string EvidenceInFuture = "evidence-in-future";

    /// <summary>The record's date is before the pensioner was born or first enrolled: refused.</summary>
    public const string EvidenceBeforeEnrollment = "evidence-before-enrollment";

    /// <summary>A proof-of-life record older than the region's <c>EvidenceMaxAgeDays</c>: refused.</summary>
    public const string EvidenceTooOld = "evidence-too-old";

    /// <summary>
    /// A death record contradicted by a certification of the pensioner dated on or after the date of death (approved, or
    /// still Pending/NeedsReview): not applied; a death-before-certification review case decides.
    /// </summary>
    public const string ReviewOpened = "review-opened";

    /// <summary>Every code, in report order.</summary>
    public static readonly IReadOnlyList<string> All = [Certified, Deceased, AlreadyApplied, Stale, UnknownPerson, UntrustedSource, Inactive, InvalidIdNumber, InvalidType, InvalidDate, InvalidRecord, RegionNotServed,
        EvidenceInFuture, EvidenceBeforeEnrollment, EvidenceTooOld, ReviewOpened];
}

/// <summary>The result of one record: its line, result code and (when known) the pensioner id. Never the ID number.</summary>
public sealed record EvidenceRecordResult(int Line, string Result, string? PensionerId);

/// <summary>The report of one batch.</summary>
/// <param name="Received">Records read.</param>
/// <param name="Counts">Records per result code (every code present, zero included).</param>
/// <param name="Results">Per-record results, in line order.</param>
public sealed record EvidenceImportReport(int Received, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<EvidenceRecordResult> Results);

/// <summary>
/// Data-comparison (silent) certification and death records from other agencies, posted by the machine identity
/// (<see cref="Operators.OperatorRole.Integration"/>, never a person's token). A proof-of-life record from a
/// source the pensioner's region trusts, dated after the last certification, certifies the pensioner (channel
/// data-comparison), restarts the year and emits certification.silent; a death record marks the pensioner deceased
/// and emits pensioner.deceased and payment.stopped, unless a certification of the pensioner dated on or after the
/// date of death contradicts it (the last certification, or one still Pending or NeedsReview): then nothing is applied
/// and a death-before-certification review case decides (<see cref="EvidenceResults.ReviewOpened"/>). Records are read as a stream and processed with bounded
/// concurrency; the same batch twice changes nothing (already-applied). An operator changes only pensioners of the
/// regions they serve (<see cref="Operators.OperatorPrincipal.Serves"/>): a record of a pensioner enrolled elsewhere is
/// refused with <see cref="EvidenceResults.RegionNotServed"/> (without their pensioner id) and not applied.
/// </summary>
public sealed partial class EvidenceImportService(IPensionerRepository pensioners, ICertificationRepository certifications, IIdNumberHasher hasher, CycleService cycle, Review.ReviewIntake reviewIntake, TimeProvider timeProvider, ILogger<EvidenceImportService> logger)
{
    /// <summary>Most records in one call: 100,000. Beyond it the call fails with evidence-too-many-records (records already applied stay applied; a repeat is harmless).</summary>
    public const int MaxRecords = 100_000;

    /// <summary>Records processed concurrently.</summary>
    public const int Parallelism = 16;

    /// <summary>Imports a batch for <paramref name="operator"/> (the integration identity): records of pensioners outside their regions are refused per record.</summary>
    /// <exception cref="ProblemException">role-not-allowed (not the integration identity), evidence-too-many-records.</exception>
    public async Task<EvidenceImportReport> ImportAsync(IAsyncEnumerable<EvidenceRecord> records, Operators.OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        // Machine data from the machine identity only (also checked by the route): no person's token posts a death.
        if (@operator.Role != Operators.OperatorRole.Integration) throw new ProblemException(ProblemTypes.RoleNotAllowed);
        var today = ChinaTime.Today(timeProvider);
        var results = new ConcurrentBag<EvidenceRecordResult>();
        var received = 0;
        async IAsyncEnumerable<EvidenceRecord> Counted()
        {
            await foreach (var record in records.WithCancellation(cancellationToken))
            {
                if (++received > MaxRecords) throw new ProblemException(ProblemTypes.EvidenceTooManyRecords);
                yield return record;
            }
        }
        await Parallel.ForEachAsync(Counted(), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (record, ct) => results.Add(await ApplyAsync(record, @operator, today, ct)));

        var ordered = results.OrderBy(r => r.Line).ToArray();
        var counts = EvidenceResults.All.ToDictionary(c => c, c => 0);
        foreach (var r in ordered) counts[r.Result]++;
        LogImported(logger, received, counts[EvidenceResults.Certified], counts[EvidenceResults.Deceased], counts[EvidenceResults.RegionNotServed]);
        return new EvidenceImportReport(received, counts, ordered);
    }

    private async Task<EvidenceRecordResult> ApplyAsync(EvidenceRecord record, Operators.OperatorPrincipal @operator, DateOnly today, CancellationToken cancellationToken)
    {
        EvidenceRecordResult Result(string code, string? pensionerId = null) => new(record.Line, code, pensionerId);

        if (record.Unreadable) return Result(EvidenceResults.InvalidRecord);
        if (!CitizenIdNumber.TryParse(record.IdNumber, today, out var idNumber, out _)) return Result(EvidenceResults.InvalidIdNumber);
        var type = record.Type?.Trim() ?? "";
        var isDeath = EvidenceTypes.Death.Contains(type);
        if (!isDeath && !EvidenceTypes.ProofOfLife.Contains(type)) return Result(EvidenceResults.InvalidType);
        if (!DateOnly.TryParseExact(record.Date?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return Result(EvidenceResults.InvalidDate);
        if (date > today) return Result(EvidenceResults.EvidenceInFuture);

        var pensionerId = await pensioners.FindIdAsync(hasher.Hash(idNumber), cancellationToken);
        var profile = pensionerId is null ? null : await pensioners.GetAsync(pensionerId, cancellationToken);
        if (profile is null) return Result(EvidenceResults.UnknownPerson);
        // Before anything else about the pensioner (trust, standing): nothing of another region's pensioner is applied or shown.
        if (!@operator.Serves(profile.RegionCode)) return Result(EvidenceResults.RegionNotServed);
        var policy = cycle.PolicyFor(profile.RegionCode);
        if (!policy.Trusts(record.Source)) return Result(EvidenceResults.UntrustedSource, profile.PensionerId);
        if (RecordDates.Check(profile, date, today) is not null) return Result(EvidenceResults.EvidenceBeforeEnrollment, profile.PensionerId);
        if (!isDeath && date < today.AddDays(-policy.EvidenceMaxAgeDays)) return Result(EvidenceResults.EvidenceTooOld, profile.PensionerId);

        var source = record.Source!.Trim().ToLowerInvariant();
        var outcome = isDeath
            ? profile.Standing is not (PensionerStanding.Deceased or PensionerStanding.Transferred) && await HasOpenCertificationSinceAsync(profile.PensionerId, date, cancellationToken)
                ? CycleCommandResult.ReviewRequired
                : await cycle.MarkDeceasedAsync(profile.PensionerId, date, source, cancellationToken)
            : await cycle.RecordCertifiedAsync(profile.PensionerId, ChinaTime.StartOfDay(date),
                new CertificationOrigin(CertificationOrigin.DataComparisonChannel, EvidenceType: type.ToLowerInvariant(), EvidenceSource: source), cancellationToken);
        if (outcome == CycleCommandResult.ReviewRequired)
            await reviewIntake.OpenForDeathConflictAsync(profile, date, source, submittedBy: null, cancellationToken);
        return Result(outcome switch
        {
            CycleCommandResult.ReviewRequired => EvidenceResults.ReviewOpened,
            CycleCommandResult.Applied => isDeath ? EvidenceResults.Deceased : EvidenceResults.Certified,
            CycleCommandResult.AlreadyApplied => EvidenceResults.AlreadyApplied,
            CycleCommandResult.Stale => EvidenceResults.Stale,
            CycleCommandResult.Inactive => EvidenceResults.Inactive,
            _ => EvidenceResults.UnknownPerson,
        }, profile.PensionerId);
    }

    /// <summary>
    /// True when a certification of the pensioner submitted on or after <paramref name="dateOfDeath"/> is still open
    /// (Pending or Processing: not decided yet; NeedsReview: a reviewer has not decided): a face shown to a camera that day or later
    /// contradicts the record until someone has looked at both.
    /// </summary>
    private async Task<bool> HasOpenCertificationSinceAsync(string pensionerId, DateOnly dateOfDeath, CancellationToken cancellationToken)
    {
        foreach (var certificationId in await pensioners.ListCertificationIdsAsync(pensionerId, cancellationToken))
        {
            var record = await certifications.GetAsync(certificationId, cancellationToken);
            if (record is { Status: Certification.CertificationStatus.Pending or Certification.CertificationStatus.Processing or Certification.CertificationStatus.NeedsReview }
                && ChinaTime.ToChinaDate(record.SubmittedAt) >= dateOfDeath)
                return true;
        }
        return false;
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Evidence batch imported: {Received} records, {Certified} certified silently, {Deceased} deceased, {RegionNotServed} refused (region not served)")]
    private static partial void LogImported(ILogger logger, int received, int certified, int deceased, int regionNotServed);
}
