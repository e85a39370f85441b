using System.Globalization;
using PensionCert.Core.Errors;
using PensionCert.Core.Identity;

namespace PensionCert.Core.Cycle;

/// <summary>Operator and payroll queries over the read models.</summary>
public sealed class CycleQueryService(ICycleReadModel readModel)
{
    /// <summary>Largest page size.</summary>
    public const int MaxPageSize = 500;

    /// <summary>States an operator can list.</summary>
    public static readonly IReadOnlyList<EligibilityState> ListableStates =
    [
        EligibilityState.DueSoon, EligibilityState.Overdue, EligibilityState.UnderInvestigation,
        EligibilityState.Suspended, EligibilityState.Deceased, EligibilityState.Transferred, EligibilityState.Valid,
    ];

    /// <summary>
    /// One page of the pensioners in a state of a region and every region it covers
    /// (<see cref="AdministrativeRegionCode.CoveredPrefix"/>: a province lists its prefectures and counties).
    /// </summary>
    /// <param name="regionCode">A county, prefecture-level or province-level code.</param>
    /// <param name="state">One of <see cref="ListableStates"/>.</param>
    /// <param name="continuationToken">Null or empty for the first page, else the token of the previous page.</param>
    /// <param name="pageSize">Null for the default 100; above <see cref="MaxPageSize"/> is served as that.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ProblemException">invalid-region-code, invalid-state-filter, invalid-page-size, invalid-continuation-token.</exception>
    public Task<ResultPage<RegionPensioner>> ListAsync(string regionCode, string? state, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        if (!AdministrativeRegionCode.TryParse(regionCode, out var region)) throw new ProblemException(ProblemTypes.InvalidRegionCode);
        if (!Enum.TryParse<EligibilityState>(state, ignoreCase: true, out var parsed) || !ListableStates.Contains(parsed) || int.TryParse(state, out _))
            throw new ProblemException(ProblemTypes.InvalidStateFilter);
        if (pageSize < 1) throw new ProblemException(ProblemTypes.InvalidPageSize);
        return readModel.ListByStateAsync(region.CoveredPrefix, parsed, string.IsNullOrEmpty(continuationToken) ? null : continuationToken,
            Math.Min(pageSize ?? 100, MaxPageSize), cancellationToken);
    }

    /// <summary>The payment changes of a region in a month (<c>yyyy-MM</c>).</summary>
    /// <exception cref="ProblemException">invalid-region-code, invalid-month.</exception>
    public Task<IReadOnlyList<PaymentChange>> PaymentChangesAsync(string regionCode, string? month, CancellationToken cancellationToken)
    {
        var region = RequireRegion(regionCode);
        if (!DateOnly.TryParseExact(month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            throw new ProblemException(ProblemTypes.InvalidMonth);
        return readModel.ListPaymentChangesAsync(region, first, cancellationToken);
    }

    private static string RequireRegion(string regionCode) =>
        AdministrativeRegionCode.TryParse(regionCode, out var region) ? region.Value : throw new ProblemException(ProblemTypes.InvalidRegionCode);
}
