using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Enrollment;

/// <summary>
/// Four-eyes on enrolling an ID number whose pensioner was erased (<see cref="ErasedIdentity"/>): a deceased one is
/// refused as before erasure (409 pensioner-deceased); a transferred one is recorded as a request and refused (409
/// re-enrollment-needs-second-operator) until a second admin, not the requester, submits the same enrolment (same
/// region, name and photo) after checking the person, which then creates the pensioner.
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
        if (tombstone.Standing == PensionerStanding.Deceased) throw new ProblemException(ProblemTypes.PensionerDeceased);
        var subject = @operator?.Subject ?? "system";
        if (tombstone.ReEnrollmentRequestHash == requestHash && tombstone.ReEnrollmentRequestedBy is { } requester
            && requester != subject && @operator?.Role == OperatorRole.Admin)
        {
            LogConfirmed(logger);
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
        LogRequested(logger);
        throw new ProblemException(ProblemTypes.ReEnrollmentNeedsSecondOperator);
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Re-enrolment of an erased (transferred) identity recorded; a second admin must confirm it")]
    private static partial void LogRequested(ILogger logger);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Re-enrolment of an erased (transferred) identity confirmed by a second admin")]
    private static partial void LogConfirmed(ILogger logger);
}
