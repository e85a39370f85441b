using PensionCert.Core.Errors;

namespace PensionCert.Core.Identity;

/// <summary>Turns raw request fields into validated values or <see cref="ProblemException"/>s.</summary>
public static class RequestValidation
{
    /// <summary>Parses an ID number, with the reason in the problem detail (no personal data).</summary>
    /// <param name="raw">The raw field.</param>
    /// <param name="today">Today's China Standard Time date (birth dates after it are rejected).</param>
    /// <exception cref="ProblemException">invalid-id-number.</exception>
    public static CitizenIdNumber RequireIdNumber(string? raw, DateOnly today)
    {
        if (CitizenIdNumber.TryParse(raw, today, out var idNumber, out var error)) return idNumber;
        throw new ProblemException(ProblemTypes.InvalidIdNumber, IdNumberErrorMessages.ToChinese(error));
    }
}
