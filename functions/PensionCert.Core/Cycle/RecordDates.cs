using PensionCert.Core.Errors;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>
/// Checks on the dates other records name (death, transfer, evidence): not in the future, not before the pensioner
/// was born, not before they were first enrolled (they were enrolled alive and in this region).
/// </summary>
public static class RecordDates
{
    /// <summary>The problem with <paramref name="date"/> for <paramref name="profile"/>, or null when it is plausible.</summary>
    public static ProblemType? Check(PensionerProfile profile, DateOnly date, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (date > today) return ProblemTypes.DateInFuture;
        if (BirthDate(profile, today) is { } born && date < born) return ProblemTypes.DateBeforeBirth;
        if (date < FirstEnrolledOn(profile)) return ProblemTypes.DateBeforeEnrollment;
        return null;
    }

    /// <summary>Throws the problem of <see cref="Check"/>.</summary>
    /// <exception cref="ProblemException">date-in-future, date-before-birth, date-before-enrollment.</exception>
    public static void Require(PensionerProfile profile, DateOnly date, DateOnly today)
    {
        if (Check(profile, date, today) is { } problem) throw new ProblemException(problem);
    }

    /// <summary>The China date the pensioner was first enrolled (the current reference's date for older profiles).</summary>
    public static DateOnly FirstEnrolledOn(PensionerProfile profile) => ChinaTime.ToChinaDate(profile.FirstEnrolledAt ?? profile.EnrolledAt);

    private static DateOnly? BirthDate(PensionerProfile profile, DateOnly today) =>
        CitizenIdNumber.TryParse(profile.IdNumber, today, out var id, out _) ? id.BirthDate : null;
}
