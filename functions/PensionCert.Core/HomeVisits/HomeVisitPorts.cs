using PensionCert.Core.Cycle;

namespace PensionCert.Core.HomeVisits;

/// <summary>What an operator list of home visits asks for.</summary>
/// <param name="RegionPrefix">Region code prefix (2 digits = province, 4 = prefecture, 6 = county).</param>
/// <param name="State">Only visits in this state, or all.</param>
/// <param name="ScheduledOn">Only visits scheduled on this China date.</param>
/// <param name="Staff">Only visits assigned to this member of staff.</param>
/// <param name="ContinuationToken">From the previous page, or null.</param>
/// <param name="PageSize">1-500.</param>
public sealed record HomeVisitQuery(string RegionPrefix, HomeVisitState? State, DateOnly? ScheduledOn, string? Staff, string? ContinuationToken, int PageSize);

/// <summary>
/// Home visits: one row per visit, partitioned by the pensioner's region (so a region's list is a partition or
/// prefix-range read), replaced with ETag checks. The contact phone and address are stored encrypted.
/// </summary>
public interface IHomeVisitStore
{
    /// <summary>Inserts a new visit; false (nothing written) when one with its id exists.</summary>
    Task<bool> TryCreateAsync(HomeVisit visit, CancellationToken cancellationToken);

    /// <summary>Reads a visit, or null.</summary>
    Task<HomeVisit?> GetAsync(string visitId, CancellationToken cancellationToken);

    /// <summary>Replaces the visit if its ETag still matches; returns it with the new ETag.</summary>
    /// <exception cref="Storage.ConcurrencyConflictException">Changed or deleted meanwhile.</exception>
    Task<HomeVisit> UpdateAsync(HomeVisit visit, CancellationToken cancellationToken);

    /// <summary>One page of a region's visits matching the query, newest request first within a partition order.</summary>
    /// <exception cref="Errors.ProblemException">invalid-continuation-token.</exception>
    Task<ResultPage<HomeVisit>> ListAsync(HomeVisitQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of every open (Requested or Scheduled) visit, for the daily sweep (a filtered read of the table, keys only:
    /// each visit is then read on its own, so one that cannot be read does not stop the sweep).
    /// </summary>
    IAsyncEnumerable<string> ListOpenIdsAsync(CancellationToken cancellationToken);

    /// <summary>The pensioner's visits (one partition, filtered by pensioner).</summary>
    Task<IReadOnlyList<HomeVisit>> ListForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);

    /// <summary>Deletes every visit of the pensioner (erasure); returns how many.</summary>
    Task<int> DeleteForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);
}
