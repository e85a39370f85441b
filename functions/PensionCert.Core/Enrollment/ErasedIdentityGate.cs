using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Enrollment;

/// <summary>
/// Four-eyes on enrolling an ID number whose pensioner was erased (<see cref="ErasedIdentity"/>): the enrolment is
/// recorded as a request and refused (409 re-enrollment-needs-second-operator) until a second admin, not the
/// requester, submits the same enrolment (same region, name and photo) after checking the person, which then creates
/// the pensioner (a new pensioner id). For an ID number erased as deceased this is the way back from a wrong death
/// record (the profile that a status reversal needs is gone): only admins may request or confirm it; a clerk gets 409
/// pensioner-deceased with a message naming that path.
/// </summary>
public sealed partial class ErasedIdentityGate(IPensionerRepository pensioners, ILogger<ErasedIdentityGate> logger)
{
    /// <summary>Returns when the enrolment may create the pensioner; otherwise throws the problem.</summary>
    /// <exception cref="ProblemException">pensioner-deceased (409), re-enrollment-needs-second-operator (409).</exception>
    public async Task RequireAllowedAsync(string idNumberHash, string requestHash, OperatorPrincipal? @operator, CancellationToken cancellationToken)
    {
        // Enrolled (a stored profile): no tombstone applies. A claimed id without a profile (an ID-photo enrolment
        // waiting for review, a crash before the first save) does not count, or it would let the tombstone be skipped.
        if (await pensioners.FindIdAsync(idNumberHash, cancellationToken) is { } pensionerId && await pensioners.GetAsync(pensionerId, cancellationToken) is not null) return;
        var tombstone = await pensioners.GetErasedAsync(idNumberHash, cancellationToken);
        if (tombstone is null) return;
        var deceased = tombstone.Standing == PensionerStanding.Deceased;
        // Only an admin may start (or confirm) bringing back a person recorded dead and erased; anyone else is told where to go.
        if (deceased && @operator?.Role != OperatorRole.Admin) throw new ProblemException(ProblemTypes.PensionerDeceased, ErasedDeceasedDetail);
        var subject = @operator?.Subject ?? "system";
        if (tombstone.ReEnrollmentRequestHash == requestHash && tombstone.ReEnrollmentRequestedBy is { } requester
            && requester != subject && @operator?.Role == OperatorRole.Admin)
        {
            LogConfirmed(logger, deceased ? "deceased" : "transferred");
            return;
        }
        try
        {
            await pensioners.SaveErasedAsync(tombstone with { ReEnrollmentRequestedBy = subject, ReEnrollmentRequestHash = requestHash }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Another request was recorded meanwhile: this one is refused all the same.
        }
        LogRequested(logger, deceased ? "deceased" : "transferred");
        throw deceased ? new ProblemException(ProblemTypes.ReEnrollmentNeedsSecondOperator, ErasedDeceasedSecondAdminDetail) : new ProblemException(ProblemTypes.ReEnrollmentNeedsSecondOperator);
    }

    /// <summary>The 409 pensioner-deceased message for an erased deceased ID number (a non-admin tried to enrol it).</summary>
    public const string ErasedDeceasedDetail = "该人员已登记死亡，其信息已删除，不能直接重新登记。如确属误报，请本人携带身份证到社保经办机构，由两名管理员分别核实本人后重新登记。";

    /// <summary>The 409 re-enrollment-needs-second-operator message for an erased deceased ID number (the first admin's request).</summary>
    public const string ErasedDeceasedSecondAdminDetail = "该人员已登记死亡，其信息已删除。重新登记的申请已记录：须由另一名管理员核对本人后，用同一照片和信息再次提交确认。";

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Re-enrolment of an erased ({Standing}) identity recorded; a second admin must confirm it")]
    private static partial void LogRequested(ILogger logger, string standing);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Re-enrolment of an erased ({Standing}) identity confirmed by a second admin")]
    private static partial void LogConfirmed(ILogger logger, string standing);
}
