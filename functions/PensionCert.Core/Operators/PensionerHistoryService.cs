using PensionCert.Core.Audit;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Operators;

/// <summary>What an operator sees of a pensioner's past: certifications, open holds, superseded references and the audit trail.</summary>
/// <param name="PensionerId">Opaque id.</param>
/// <param name="Certifications">The most recent certifications, newest first (at most <see cref="PensionerHistoryService.MaxCertifications"/>).</param>
/// <param name="CertificationCount">How many certifications the pensioner has in all.</param>
/// <param name="OpenHolds">Open holds that stop a suspension (e.g. <c>review:{certificationId}</c>, <c>home-visit</c>).</param>
/// <param name="References">Superseded reference photos, oldest first (the current one is on the profile).</param>
/// <param name="Audit">The latest operator actions on the pensioner, newest first (at most <see cref="PensionerHistoryService.MaxAuditEntries"/>).</param>
public sealed record PensionerHistory(
    string PensionerId, IReadOnlyList<CertificationRecord> Certifications, int CertificationCount, IReadOnlyList<string> OpenHolds,
    IReadOnlyList<ReferenceHistoryEntry> References, IReadOnlyList<AuditEntry> Audit)
{
    /// <summary>The approved selfies kept as further references, oldest first (ids and dates; never the templates).</summary>
    public IReadOnlyList<(string CertificationId, DateTimeOffset AddedAt)> LiveReferences { get; init; } = [];
}

/// <summary>
/// Operator reads for the console: find a pensioner by ID number (the number is hashed, never stored or logged) and a
/// pensioner's history. Both check the operator's regions exactly as <see cref="PensionerAdministrationService"/> does.
/// </summary>
public sealed class PensionerHistoryService(
    PensionerAdministrationService administration,
    IPensionerRepository pensioners,
    ICertificationRepository certifications,
    IIdNumberHasher hasher,
    IAuditLog audit,
    TimeProvider timeProvider)
{
    /// <summary>Most certifications listed.</summary>
    public const int MaxCertifications = 20;

    /// <summary>Most audit entries listed.</summary>
    public const int MaxAuditEntries = 100;

    /// <summary>The masked profile of the pensioner with this ID number.</summary>
    /// <exception cref="ProblemException">invalid-id-number (400), pensioner-not-found (404), region-not-served (403).</exception>
    public async Task<PensionerView> FindAsync(string? idNumber, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        var parsed = RequestValidation.RequireIdNumber(idNumber, ChinaTime.Today(timeProvider));
        var pensionerId = await pensioners.FindIdAsync(hasher.Hash(parsed), cancellationToken)
            ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        return await administration.GetAsync(pensionerId, @operator, revealIdNumber: false, cancellationToken);
    }

    /// <summary>The pensioner's history, for an operator of the pensioner's region.</summary>
    /// <exception cref="ProblemException">pensioner-not-found (404), region-not-served (403).</exception>
    public async Task<PensionerHistory> GetAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        await administration.GetAsync(pensionerId, @operator, revealIdNumber: false, cancellationToken);
        var profile = await pensioners.GetAsync(pensionerId, cancellationToken) ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        var ids = await pensioners.ListCertificationIdsAsync(pensionerId, cancellationToken);
        var records = new List<CertificationRecord>(ids.Count);
        // A pensioner certifies a few times a year; read the records eight at a time.
        foreach (var chunk in ids.Chunk(8))
            records.AddRange((await Task.WhenAll(chunk.Select(id => certifications.GetAsync(id, cancellationToken)))).OfType<CertificationRecord>());
        var references = await pensioners.GetReferenceHistoryAsync(pensionerId, cancellationToken);
        var entries = await audit.ForPensionerAsync(pensionerId, cancellationToken);
        return new PensionerHistory(
            pensionerId,
            records.OrderByDescending(r => r.SubmittedAt).Take(MaxCertifications).ToArray(),
            records.Count,
            profile.OpenHolds,
            // Templates stay inside the four-eyes check: the history shows versions and dates only.
            references.Select(r => r with { Embedding = null }).ToArray(),
            entries.OrderByDescending(e => e.At).Take(MaxAuditEntries).ToArray())
        {
            LiveReferences = profile.LiveReferences.Select(r => (r.CertificationId, r.AddedAt)).ToArray(),
        };
    }
}
