using PensionCert.Core.FamilyHelpers;
using PensionCert.Core.HomeVisits;
using PensionCert.Core.Operators;

namespace PensionCert.Core.Offline;

/// <summary>Erasure of a pensioner's home visits (with their encrypted phone and address) and family helper bindings.</summary>
public sealed class OfflineErasure(IHomeVisitStore visits, IFamilyHelperStore helpers) : IPensionerErasureParticipant
{
    /// <inheritdoc />
    public async Task<int> EraseAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        await visits.DeleteForPensionerAsync(regionCode, pensionerId, cancellationToken)
        + await helpers.DeleteForPensionerAsync(pensionerId, cancellationToken);
}
