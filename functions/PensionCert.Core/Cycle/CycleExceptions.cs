namespace PensionCert.Core.Cycle;

/// <summary>
/// A pensioner the daily scan could not process (e.g. a profile it cannot read: encrypted under a retired key, or a
/// corrupt row). The scan records it and moves on; every later run tries the pensioner again first, and a success
/// closes the exception. Operators list them per region. Ids and an error type only, never personal data.
/// </summary>
/// <param name="RegionCode">The pensioner's region (read without decrypting anything), or <see cref="UnknownRegion"/>.</param>
/// <param name="PensionerId">The pensioner.</param>
/// <param name="DueOn">The China date the scan first failed on for them.</param>
/// <param name="FirstFailedAt">When it first failed.</param>
/// <param name="LastFailedAt">When it last failed.</param>
/// <param name="Attempts">Runs that failed on the pensioner so far.</param>
/// <param name="ErrorType">The exception type of the last failure (no message: it might carry data).</param>
public sealed record CycleException(string RegionCode, string PensionerId, DateOnly DueOn, DateTimeOffset FirstFailedAt, DateTimeOffset LastFailedAt, int Attempts, string ErrorType)
{
    /// <summary>The region of an exception whose profile row has no readable region code.</summary>
    public const string UnknownRegion = "unknown";
}

/// <summary>Where cycle exceptions are kept (table <c>CycleExceptions</c>: PartitionKey = region code, RowKey = pensioner id).</summary>
public interface ICycleExceptionStore
{
    /// <summary>
    /// Records a failure of the scan on <paramref name="pensionerId"/> for <paramref name="dueOn"/>: a new exception, or
    /// the existing one with one more attempt. The store finds the pensioner's region itself, without reading the profile.
    /// </summary>
    Task<CycleException> RecordAsync(string pensionerId, DateOnly dueOn, string errorType, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Closes an exception (no error if absent).</summary>
    Task RemoveAsync(CycleException exception, CancellationToken cancellationToken);

    /// <summary>Every open exception (the scan retries them all; there are few).</summary>
    IAsyncEnumerable<CycleException> ListAllAsync(CancellationToken cancellationToken);

    /// <summary>Open exceptions of the regions whose codes start with <paramref name="regionPrefix"/>, oldest first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<CycleException>> ListAsync(string regionPrefix, int max, CancellationToken cancellationToken);
}

/// <summary>Operator query over the open cycle exceptions of a region.</summary>
public sealed class CycleExceptionQueries(ICycleExceptionStore store)
{
    /// <summary>Most exceptions returned by one call.</summary>
    public const int MaxItems = 1000;

    /// <summary>
    /// The open exceptions of <paramref name="regionCode"/> and the regions below it (a province code <c>110000</c>
    /// covers its prefectures and counties, a prefecture code <c>110100</c> its counties), oldest first.
    /// </summary>
    /// <exception cref="Errors.ProblemException">invalid-region-code.</exception>
    public Task<IReadOnlyList<CycleException>> ListAsync(string regionCode, CancellationToken cancellationToken)
    {
        if (!Identity.AdministrativeRegionCode.TryParse(regionCode, out var region)) throw new Errors.ProblemException(Errors.ProblemTypes.InvalidRegionCode);
        var code = region.Value;
        var prefix = code.EndsWith("0000", StringComparison.Ordinal) ? code[..2] : code.EndsWith("00", StringComparison.Ordinal) ? code[..4] : code;
        return store.ListAsync(prefix, MaxItems, cancellationToken);
    }
}
