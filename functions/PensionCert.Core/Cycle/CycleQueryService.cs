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

    /// <summary>One page of a region's pensioners in a state.</summary>
    /// <exception cref="ProblemException">invalid-region-code, invalid-state-filter.</exception>
    public Task<ResultPage<RegionPensioner>> ListAsync(string regionCode, string? state, string? continuationToken, int? pageSize, CancellationToken cancellationToken)
    {
        var region = RequireRegion(regionCode);
        if (!Enum.TryParse<EligibilityState>(state, ignoreCase: true, out var parsed) || !ListableStates.Contains(parsed) || int.TryParse(state, out _))
            throw new ProblemException(ProblemTypes.InvalidStateFilter);
        return readModel.ListByStateAsync(region, parsed, string.IsNullOrEmpty(continuationToken) ? null : continuationToken,
            Math.Clamp(pageSize ?? 100, 1, MaxPageSize), cancellationToken);
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
