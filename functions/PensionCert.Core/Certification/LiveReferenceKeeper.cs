using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Audit;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>
/// References that age with the pensioner (issue #12): after an automatically approved online certification whose
/// selfie scored well above the accept threshold with high liveness (<see cref="VerificationPolicy.QualifiesAsLiveReference"/>),
/// the selfie's template is kept on the profile as a further reference; at most
/// <see cref="VerificationOptions.MaxLiveReferences"/>, the oldest dropped first. A case approved by review never
/// adds one (review decisions do not come through here). Each addition is an audit entry (action
/// <see cref="AuditAction"/>, no template in it; stored with the approval's event and appended by the outbox dispatcher,
/// so it is kept exactly when the template is) and shows in the pensioner's history; the templates live in the
/// profile row (encrypted), so erasure removes them with it.
/// </summary>
public sealed partial class LiveReferenceKeeper(
    IPensionerRepository pensioners,
    IAuditLog audit,
    VerificationPolicy policy,
    IOptions<VerificationOptions> options,
    TimeProvider timeProvider,
    ILogger<LiveReferenceKeeper> logger)
{
    /// <summary>The audit action of an addition.</summary>
    public const string AuditAction = "AddLiveReference";

    /// <summary>One template kept: how many the profile holds now and how many were dropped for it.</summary>
    public sealed record Addition(DateTimeOffset AddedAt, int Kept, int Dropped);

    /// <summary>True when the probe of <paramref name="decision"/> qualifies as a live reference of <paramref name="record"/>.</summary>
    public bool Qualifies(CertificationRecord record, VerificationDecision decision) =>
        record.Channel.IsOnline() && policy.QualifiesAsLiveReference(decision);

    /// <summary>
    /// <paramref name="profile"/> with the probe of <paramref name="decision"/> kept as a live reference (the oldest
    /// dropped beyond the limit), for the worker to write in the same transaction as the approval; the addition is null
    /// when it does not qualify or <paramref name="record"/>'s template is kept already.
    /// </summary>
    /// Nothing is kept when the pensioner's reference is no longer version <paramref name="referenceVersion"/>, the one
    /// the selfie was compared with: a reference change (four-eyes or re-enrolment) clears the kept templates, which
    /// belong to the old identity, and a verification that finishes after the change must not bring one back.
    public (PensionerProfile Profile, Addition? Added) Amend(PensionerProfile profile, CertificationRecord record, VerificationDecision decision, int referenceVersion)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(decision);
        if (!Qualifies(record, decision) || profile.LiveReferences.Any(r => r.CertificationId == record.CertificationId)) return (profile, null);
        if (profile.ReferenceVersion != referenceVersion)
        {
            LogReferenceChanged(logger, record.CertificationId, referenceVersion, profile.ReferenceVersion);
            return (profile, null);
        }
        var now = timeProvider.GetUtcNow();
        var kept = profile.LiveReferences.Append(new LiveReference(record.CertificationId, now, decision.Probe!, decision.ProbeFingerprint))
            .OrderBy(r => r.AddedAt).TakeLast(options.Value.MaxLiveReferences).ToArray();
        return (profile with { LiveReferences = kept }, new Addition(now, kept.Length, profile.LiveReferences.Count + 1 - kept.Length));
    }

    /// <summary>The audit entry of an addition (ids and counts only).</summary>
    public static AuditEntry AuditEntryFor(CertificationRecord record, Addition addition)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(addition);
        return new AuditEntry(addition.AddedAt, "system", "", AuditAction, record.PensionerId, 201, null, "worker",
            $"certification {record.CertificationId}; live references {addition.Kept}; dropped {addition.Dropped}");
    }

    /// <summary>Audits (and logs) an addition written by <see cref="Amend"/>'s caller in a write of its own.</summary>
    public async Task RecordAddedAsync(CertificationRecord record, Addition addition, CancellationToken cancellationToken)
    {
        await audit.AppendAsync(AuditEntryFor(record, addition), cancellationToken);
        LogAdded(logger, record.CertificationId, addition.Kept);
    }

    /// <summary>
    /// Logs an addition whose audit entry was stored with the approval's event (<see cref="CertificationRows.Audit"/>;
    /// the outbox dispatcher appends it to the audit log).
    /// </summary>
    public void LogAddedWithApproval(CertificationRecord record, Addition addition) => LogAdded(logger, record.CertificationId, addition.Kept);

    /// <summary>
    /// Keeps the probe of <paramref name="decision"/> as a live reference when it qualifies, in a write of its own (the
    /// worker writes it with the approval instead, see <see cref="Amend"/>; this is for an approval that did not change the cycle). Idempotent per
    /// certification (a redelivery adds nothing twice); a profile changed meanwhile is read again.
    /// </summary>
    /// <returns>True when a template was added.</returns>
    public async Task<bool> ConsiderAsync(CertificationRecord record, VerificationDecision decision, int referenceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(decision);
        if (!Qualifies(record, decision)) return false;
        for (var attempt = 1; ; attempt++)
        {
            var profile = await pensioners.GetAsync(record.PensionerId, cancellationToken);
            if (profile is null) return false;
            var (amended, addition) = Amend(profile, record, decision, referenceVersion);
            if (addition is null) return false;
            try
            {
                await pensioners.UpdateAsync(amended, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // Several approvals at once (or a cycle update) changed the profile: read it again, give up after five.
                if (attempt < 5) continue;
                return false;
            }
            await RecordAddedAsync(record, addition, cancellationToken);
            return true;
        }
    }

    [LoggerMessage(EventId = 3021, Level = LogLevel.Information, Message = "Certification {CertificationId}: compared with reference version {Compared}, now {Current}; its template is not kept")]
    private static partial void LogReferenceChanged(ILogger logger, string certificationId, int compared, int current);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Certification {CertificationId}: selfie template kept as a live reference ({Count} kept)")]
    private static partial void LogAdded(ILogger logger, string certificationId, int count);
}
