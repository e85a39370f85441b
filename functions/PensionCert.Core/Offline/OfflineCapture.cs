using PensionCert.Core.Certification;
using PensionCert.Core.Errors;
using PensionCert.Core.Storage;
using PensionCert.Core.Faces;
using PensionCert.Core.Operators;

namespace PensionCert.Core.Offline;

/// <summary>
/// What an operator attests when capturing a pensioner's photo themselves (counter, community service centre, home
/// visit): who captured it, where, and that the pensioner's ID document was checked in person. Recorded on the
/// certification; a face that does not match then goes to review with this attestation, never to silent approval.
/// </summary>
/// <param name="Operator">The authenticated operator (the token's <c>sub</c> is recorded).</param>
/// <param name="ServicePoint">The service point code, e.g. <c>110105-counter-01</c> (letters, digits, '-', 3-64 characters).</param>
/// <param name="IdDocumentChecked">True when the operator checked the pensioner's ID document (must be true).</param>
/// <param name="HomeVisitId">For <c>home-visit</c>: the scheduled visit the photo was captured on.</param>
public sealed record OfflineCapture(OperatorPrincipal Operator, string ServicePoint, bool IdDocumentChecked, string? HomeVisitId);

/// <summary>Rules for operator-captured channels (counter, community, home-visit).</summary>
public static class OperatorCapturedChannels
{
    /// <summary>True for the channels an operator captures (counter, community, home-visit); only the operator endpoint may use them.</summary>
    public static bool IsOperatorCaptured(this CertificationChannel channel) => !channel.IsOnline();

    /// <summary>Validates a service point code (3-64 ASCII letters, digits or '-').</summary>
    /// <exception cref="ProblemException">invalid-service-point.</exception>
    public static string RequireServicePoint(string? raw)
    {
        var value = raw?.Trim() ?? "";
        if (value.Length is < 3 or > 64 || value.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
            throw new ProblemException(ProblemTypes.InvalidServicePoint);
        return value;
    }

    /// <summary>
    /// The decision rule of operator-captured certifications: a face the 1:1 comparison rejects as another person
    /// (<c>face-mismatch</c>) goes to review with the operator's attestation (<c>attested-face-mismatch</c>) instead of
    /// being rejected, because an operator who checked the ID document says it is the pensioner; a person decides.
    /// Nothing else changes: unusable photos and presentation attacks stay Rejected (the operator retakes the photo),
    /// and the attestation never turns a review into an approval.
    /// </summary>
    public static VerificationDecision Apply(VerificationDecision decision, CertificationRecord record)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(record);
        if (!record.Channel.IsOperatorCaptured() || decision.Status != CertificationStatus.Rejected) return decision;
        if (!decision.Reasons.Any(r => r.Code == Reasons.FaceMismatch.Code)) return decision;
        return decision with { Status = CertificationStatus.NeedsReview, Reasons = [.. decision.Reasons, Reasons.AttestedFaceMismatch] };
    }
}
