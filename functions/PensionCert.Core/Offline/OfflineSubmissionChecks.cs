using PensionCert.Core.Certification;
using PensionCert.Core.Errors;
using PensionCert.Core.FamilyHelpers;
using PensionCert.Core.HomeVisits;

namespace PensionCert.Core.Offline;

/// <summary>
/// Operator-captured submissions: the operator must serve the pensioner's region, and a home-visit capture must name
/// a Scheduled visit of this pensioner.
/// </summary>
public sealed class OfflineCaptureCheck(IHomeVisitStore visits) : ISubmissionCheck
{
    /// <inheritdoc />
    public async Task CheckAsync(SubmitCertificationCommand command, SubmissionPensioner pensioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(pensioner);
        if (command.Capture is not { } capture) return;
        // As for an unknown ID number: the counter must not learn that the number is enrolled in another region.
        if (!capture.Operator.Serves(pensioner.RegionCode)) throw ProblemException.OutsideRegions(pensioner.PensionerId);
        if (capture.HomeVisitId is null) return;
        var visit = HomeVisitIds.TryParse(capture.HomeVisitId, out _) ? await visits.GetAsync(capture.HomeVisitId, cancellationToken) : null;
        if (visit is null || visit.PensionerId != pensioner.PensionerId) throw new ProblemException(ProblemTypes.HomeVisitNotFound);
        if (visit.State != HomeVisitState.Scheduled) throw new ProblemException(ProblemTypes.HomeVisitStateConflict);
    }
}

/// <summary>Family-assisted submissions: the helper must be bound to this pensioner and approved (not pending, not revoked).</summary>
public sealed class FamilyHelperCheck(IFamilyHelperStore helpers) : ISubmissionCheck
{
    /// <inheritdoc />
    public async Task CheckAsync(SubmitCertificationCommand command, SubmissionPensioner pensioner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(pensioner);
        if (string.IsNullOrWhiteSpace(command.HelperId)) return;
        var helper = await helpers.GetAsync(pensioner.PensionerId, command.HelperId.Trim(), cancellationToken)
            ?? throw new ProblemException(ProblemTypes.FamilyHelperNotFound);
        if (helper.SubmissionRefusal is { } refusal) throw new ProblemException(refusal);
    }
}
