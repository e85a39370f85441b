namespace PensionCert.Core.FamilyHelpers;

/// <summary>Family helper bindings: PartitionKey = pensioner id, RowKey = helper id; name and phone encrypted.</summary>
public interface IFamilyHelperStore
{
    /// <summary>Inserts a binding; false when one with its id exists.</summary>
    Task<bool> TryCreateAsync(FamilyHelper helper, CancellationToken cancellationToken);

    /// <summary>Reads a binding, or null.</summary>
    Task<FamilyHelper?> GetAsync(string pensionerId, string helperId, CancellationToken cancellationToken);

    /// <summary>Replaces a binding if its ETag still matches.</summary>
    /// <exception cref="Storage.ConcurrencyConflictException">Changed or deleted meanwhile.</exception>
    Task<FamilyHelper> UpdateAsync(FamilyHelper helper, CancellationToken cancellationToken);

    /// <summary>Every binding of the pensioner (one partition).</summary>
    Task<IReadOnlyList<FamilyHelper>> ListAsync(string pensionerId, CancellationToken cancellationToken);

    /// <summary>Deletes every binding of the pensioner (erasure); returns how many.</summary>
    Task<int> DeleteForPensionerAsync(string pensionerId, CancellationToken cancellationToken);
}

/// <summary>An approved family-assisted certification, counted apart from the pensioners' own approvals.</summary>
/// <param name="RegionCode">The pensioner's region.</param>
/// <param name="CertificationId">The approved certification.</param>
/// <param name="HelperId">The helper who submitted it.</param>
/// <param name="Channel">The online channel it came through.</param>
/// <param name="ApprovedAt">When it was decided.</param>
public sealed record AssistedApproval(string RegionCode, string CertificationId, string HelperId, string Channel, DateTimeOffset ApprovedAt);

/// <summary>
/// The count of assisted approvals: one row per approved assisted certification, partition = China month + region
/// (an insert keyed by certification id, so a redelivered decision counts once). Rows hold no pensioner id.
/// </summary>
public interface IAssistedApprovalLog
{
    /// <summary>Records an approval (idempotent).</summary>
    Task RecordAsync(AssistedApproval approval, CancellationToken cancellationToken);

    /// <summary>The approvals of <paramref name="month"/> (first day of the China month) in regions starting with <paramref name="regionPrefix"/>.</summary>
    Task<IReadOnlyList<AssistedApproval>> ListAsync(string regionPrefix, DateOnly month, CancellationToken cancellationToken);
}
