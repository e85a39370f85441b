namespace PensionCert.Core.Identity;

/// <summary>
/// Why a string is not a valid resident identity number (公民身份号码, GB 11643-1999).
/// Reported by <see cref="CitizenIdNumber.TryParse"/>, in the order the checks run: the first failing check wins.
/// Show it to a pensioner with <see cref="IdNumberErrorMessages.ToChinese"/>.
/// </summary>
public enum IdNumberError
{
    /// <summary>Null, empty, or nothing but whitespace.</summary>
    Empty,

    /// <summary>A character other than a digit, the check character <c>X</c> (in the last position only) or whitespace.</summary>
    InvalidCharacters,

    /// <summary>Neither 18 characters (GB 11643-1999) nor 15 digits (first generation, GB 11643-1989) after normalisation.</summary>
    InvalidLength,

    /// <summary>The first two digits are not a GB/T 2260 province-level code.</summary>
    InvalidRegion,

    /// <summary>Characters 7-14 are not a real calendar date (yyyyMMdd) on or after 1900-01-01.</summary>
    InvalidBirthDate,

    /// <summary>The birth date is after the China calendar date passed as <c>today</c>.</summary>
    BirthDateInFuture,

    /// <summary>The 18th character is not the ISO 7064 MOD 11-2 check character of the first 17 digits.</summary>
    InvalidChecksum,
}
