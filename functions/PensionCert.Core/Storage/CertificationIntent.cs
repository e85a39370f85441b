using PensionCert.Core.Certification;

namespace PensionCert.Core.Storage;

/// <summary>
/// A worker's decision for one certification, written into the certification's index row in the pensioner's
/// partition in the same transaction as the first effect of the decision (the cycle change with its outbox row), so
/// the decision and its effect are stored together or not at all. A redelivery, the poison handler or the stale sweep
/// that finds it completes the decision instead of analysing again (see <see cref="Certification.CertificationDecisions"/>).
/// </summary>
/// <param name="Status">The decision.</param>
/// <param name="Similarity">Cosine similarity, if compared.</param>
/// <param name="AcceptThreshold">The accept threshold applied.</param>
/// <param name="ReviewThreshold">The review threshold applied.</param>
/// <param name="LivenessScore">Live probability, if measured.</param>
/// <param name="ReasonCodes">The reasons' codes.</param>
/// <param name="ProcessingStartedAt">When the deciding delivery started.</param>
/// <param name="Attempts">The deciding delivery's attempt.</param>
public sealed record CertificationIntent(CertificationStatus Status, double? Similarity, double? AcceptThreshold, double? ReviewThreshold, double? LivenessScore,
    IReadOnlyList<string> ReasonCodes, DateTimeOffset? ProcessingStartedAt, int Attempts)
{
    /// <summary>The intent of a record whose <see cref="CertificationRecord.IntendedStatus"/> is set.</summary>
    public static CertificationIntent Of(CertificationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new CertificationIntent(record.IntendedStatus ?? throw new ArgumentException("The record has no decision.", nameof(record)),
            record.Similarity, record.AcceptThreshold, record.ReviewThreshold, record.LivenessScore, record.ReasonCodes, record.ProcessingStartedAt, record.Attempts);
    }

    /// <summary><paramref name="record"/> (read from the Certifications table) with this decision as its intent.</summary>
    public CertificationRecord ApplyTo(CertificationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record with
        {
            Status = CertificationStatus.Processing,
            IntendedStatus = Status,
            Similarity = Similarity,
            AcceptThreshold = AcceptThreshold,
            ReviewThreshold = ReviewThreshold,
            LivenessScore = LivenessScore,
            ReasonCodes = ReasonCodes.ToArray(),
            ProcessingStartedAt = ProcessingStartedAt ?? record.ProcessingStartedAt,
            Attempts = Math.Max(Attempts, record.Attempts),
        };
    }
}

/// <summary>Rows of one certification the worker writes in the same transaction as the cycle change its decision causes.</summary>
/// <param name="CertificationId">The certification.</param>
public sealed record CertificationRows(string CertificationId)
{
    /// <summary>The decision, written into the certification's index row (for a record in the pensioner's partition: the record itself).</summary>
    public CertificationIntent? Intent { get; init; }

    /// <summary>The China date of a rejected online attempt that counts against the day's limit (its failed-attempt row).</summary>
    public DateOnly? FailedAttemptOn { get; init; }

    /// <summary>
    /// The record with its final status (decided, <see cref="CertificationRecord.IntendedStatus"/> null, with its stored
    /// ETag), written in the same transaction when the record lives in the pensioner's partition
    /// (<see cref="Ids.PensionerIdOf"/>), conditional on its ETag: the decision, its event and the client's answer are
    /// stored together, without a write of their own. Only on the profile the caller read (see
    /// <see cref="Cycle.CycleService"/>): a change retried on a profile read again writes the <see cref="Intent"/> only,
    /// and the caller writes the status after its effects.
    /// </summary>
    public CertificationRecord? Decided { get; init; }

    /// <summary>
    /// An audit entry for the event of this certification's decision (a kept live reference), evaluated when the
    /// transaction is built: stored on the event's outbox row and appended to the audit log by the outbox dispatcher,
    /// so it is stored with the change it audits or not at all.
    /// </summary>
    public Func<Audit.AuditEntry?>? Audit { get; init; }

    /// <summary>Set by the cycle change once a transaction stored <see cref="Decided"/> (the record is decided).</summary>
    public bool DecisionStored { get; set; }
}
