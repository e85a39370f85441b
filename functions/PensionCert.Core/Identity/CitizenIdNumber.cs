using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace PensionCert.Core.Identity;

/// <summary>
/// A citizen's resident identity number (公民身份号码) as defined by GB 11643-1999: 18 characters, being a
/// 6-digit GB/T 2260 administrative region code, an 8-digit birth date (yyyyMMdd), a 3-digit sequence number
/// and an ISO 7064 MOD 11-2 check character (0-9 or <c>X</c>).
/// </summary>
/// <remarks>
/// <para>
/// Personal data. <see cref="ToString"/> (and therefore string interpolation and log message templates) returns
/// <see cref="Masked"/>, never the full number; read <see cref="Value"/> only where the full number is needed.
/// Serialisers that write public properties (System.Text.Json) do write <see cref="Value"/>.
/// </para>
/// <para>
/// Two inputs for the same person parse to equal values: a lower-case <c>x</c> and an upper-case <c>X</c>, and a
/// 15-digit first-generation number and its 18-digit upgrade.
/// <c>default(CitizenIdNumber)</c> is not a parsed number: its <see cref="Value"/>, <see cref="RegionCode"/> and
/// <see cref="Masked"/> are empty.
/// </para>
/// </remarks>
[DebuggerDisplay("{Masked,nq}")]
public readonly record struct CitizenIdNumber
{
    /// <summary>
    /// Inputs longer than this many UTF-16 code units are rejected with <see cref="IdNumberError.InvalidLength"/>
    /// before normalisation (an 18-character number with generous spacing fits easily).
    /// </summary>
    private const int MaxInputLength = 64;

    /// <summary>GB 11643-1999 weights W_i = 2^(i-1) mod 11 for positions 1-17, left to right.</summary>
    private static ReadOnlySpan<int> Weights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    /// <summary>GB 11643-1999 check characters, indexed by (sum of weighted digits) mod 11.</summary>
    private const string CheckCharacters = "10X98765432";

    private readonly string? _value;
    private readonly DateOnly _birthDate;

    private CitizenIdNumber(string value, DateOnly birthDate)
    {
        _value = value;
        _birthDate = birthDate;
    }

    /// <summary>The normalised number: exactly 18 ASCII characters, 17 digits then a digit or upper-case <c>X</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>The birth date encoded in characters 7-14 (a calendar date, no time zone).</summary>
    public DateOnly BirthDate => _birthDate;

    /// <summary>The first six digits: the GB/T 2260 administrative region code where the number was first issued.</summary>
    public string RegionCode => _value is null ? string.Empty : _value[..6];

    /// <summary>
    /// The number with the birth date hidden: first 6 characters, 8 asterisks, last 4 characters,
    /// e.g. <c>110101********123X</c> (18 characters).
    /// </summary>
    public string Masked => _value is null ? string.Empty : string.Concat(_value.AsSpan(0, 6), "********", _value.AsSpan(14, 4));

    /// <summary>Returns <see cref="Masked"/>, so the full number never reaches a log by accident.</summary>
    public override string ToString() => Masked;

    /// <summary>Parses a resident identity number, throwing when it is not valid.</summary>
    /// <param name="input">The number as entered; normalised as described on <see cref="TryParse"/>.</param>
    /// <param name="today">Today's China calendar date (see <c>ChinaTime.Today</c>); later birth dates are rejected.</param>
    /// <returns>The parsed number.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="FormatException">
    /// The input is not valid. The message names the <see cref="IdNumberError"/> and holds no part of the input;
    /// the error is also stored in <see cref="Exception.Data"/> under the key <c>"IdNumberError"</c>.
    /// </exception>
    public static CitizenIdNumber Parse(string input, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (TryParse(input, today, out var idNumber, out var error))
            return idNumber;
        var exception = new FormatException($"Not a valid resident identity number (GB 11643-1999): {error}.");
        exception.Data[nameof(IdNumberError)] = error;
        throw exception;
    }

    /// <summary>
    /// Parses and validates a resident identity number. Never throws.
    /// </summary>
    /// <remarks>
    /// <para>Normalisation, in order:</para>
    /// <list type="number">
    /// <item>Unicode NFKC, so full-width digits and <c>Ｘ</c> become ASCII.</item>
    /// <item>Every whitespace character (<see cref="char.IsWhiteSpace(char)"/>: space, tab, line breaks, no-break
    /// space, ideographic space U+3000, ...) is removed, wherever it is.</item>
    /// <item>Lower-case <c>x</c> becomes <c>X</c>.</item>
    /// <item>Any other character (hyphens, quotes, <c>;</c>, <c>&lt;</c>, zero-width characters, non-ASCII digits,
    /// unpaired surrogates) fails with <see cref="IdNumberError.InvalidCharacters"/>; nothing else is stripped.</item>
    /// </list>
    /// <para>
    /// A 15-digit first-generation number (GB 11643-1989: 6-digit region, yyMMdd birth date, 3-digit sequence, no
    /// check character) is upgraded by the standard rule: insert the century <c>19</c> before the two-digit year and
    /// append the GB 11643-1999 check character of the resulting 17 digits. The 18-digit result is then validated
    /// like any other number and becomes <see cref="Value"/>.
    /// </para>
    /// <para>
    /// Validation, first failure wins: <see cref="IdNumberError.Empty"/>, <see cref="IdNumberError.InvalidCharacters"/>,
    /// <see cref="IdNumberError.InvalidLength"/> (not 18 or 15 characters, or more than 64 characters before
    /// normalisation), <see cref="IdNumberError.InvalidCharacters"/> (<c>X</c> anywhere but the 18th position),
    /// <see cref="IdNumberError.InvalidRegion"/> (province prefix not in GB/T 2260),
    /// <see cref="IdNumberError.InvalidBirthDate"/> (not a real yyyyMMdd date, or before 1900-01-01),
    /// <see cref="IdNumberError.BirthDateInFuture"/> (after <paramref name="today"/>),
    /// <see cref="IdNumberError.InvalidChecksum"/> (ISO 7064 MOD 11-2 as GB 11643-1999 defines it: weights
    /// 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2; check characters "10X98765432" indexed by the weighted sum mod 11).
    /// </para>
    /// </remarks>
    /// <param name="input">The number as entered; null is <see cref="IdNumberError.Empty"/>.</param>
    /// <param name="today">Today's China calendar date (see <c>ChinaTime.Today</c>); later birth dates are rejected.</param>
    /// <param name="idNumber">The parsed number, or <c>default</c> when false is returned.</param>
    /// <param name="error">Why the input is invalid; meaningless (<c>default</c>) when true is returned.</param>
    /// <returns>True when <paramref name="input"/> is a valid number.</returns>
    public static bool TryParse(string? input, DateOnly today, out CitizenIdNumber idNumber, out IdNumberError error)
    {
        idNumber = default;
        if (!TryNormalise(input, out var candidate, out error))
            return false;

        if (Validate(candidate, today, out var birthDate) is { } failure)
        {
            error = failure;
            return false;
        }

        idNumber = new CitizenIdNumber(candidate, birthDate);
        return true;
    }

    /// <summary>
    /// Completes 17 digits (6-digit region code, yyyyMMdd birth date, 3-digit sequence) with their GB 11643-1999 check
    /// character (ISO 7064 MOD 11-2) into an 18-character number, e.g. for test and benchmark data.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="first17"/> is not 17 ASCII digits.</exception>
    public static string WithCheckCharacter(string first17)
    {
        ArgumentNullException.ThrowIfNull(first17);
        if (first17.Length != 17 || !first17.All(char.IsAsciiDigit)) throw new ArgumentException("Expected 17 ASCII digits.", nameof(first17));
        return first17 + ComputeCheckCharacter(first17);
    }

    /// <summary>
    /// The GB 11643-1999 check character for the first 17 digits of <paramref name="digits"/> (ASCII digits).
    /// </summary>
    private static char ComputeCheckCharacter(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var i = 0; i < Weights.Length; i++)
            sum += (digits[i] - '0') * Weights[i];
        return CheckCharacters[sum % 11];
    }

    /// <summary>
    /// Normalises <paramref name="input"/> into an 18-character candidate (digits, <c>X</c> only last), upgrading a
    /// 15-digit number. When it cannot, returns false with <paramref name="error"/> set.
    /// </summary>
    private static bool TryNormalise(string? input, [NotNullWhen(true)] out string? candidate, out IdNumberError error)
    {
        candidate = null;
        error = default;
        if (string.IsNullOrEmpty(input))
            return Fail(IdNumberError.Empty, out error);
        if (input.Length > MaxInputLength)
            return Fail(IdNumberError.InvalidLength, out error);

        string compatible;
        try
        {
            compatible = input.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Unpaired surrogates cannot be normalised.
            return Fail(IdNumberError.InvalidCharacters, out error);
        }

        // NFKC can lengthen a string, so count every kept character but store only the first 18.
        Span<char> kept = stackalloc char[18];
        var count = 0;
        foreach (var c in compatible)
        {
            if (char.IsWhiteSpace(c))
                continue;
            var upper = c == 'x' ? 'X' : c;
            if (!char.IsAsciiDigit(upper) && upper != 'X')
                return Fail(IdNumberError.InvalidCharacters, out error);
            if (count < kept.Length)
                kept[count] = upper;
            count++;
        }

        if (count == 0)
            return Fail(IdNumberError.Empty, out error);
        if (count is not (15 or 18))
            return Fail(IdNumberError.InvalidLength, out error);

        var digitCount = count == 18 ? 17 : 15;
        if (kept[..digitCount].Contains('X'))
            return Fail(IdNumberError.InvalidCharacters, out error);

        if (count == 18)
        {
            candidate = kept.ToString();
            return true;
        }

        // GB 11643-1989 to GB 11643-1999: region (6) + "19" + yyMMdd sequence (9) + check character.
        Span<char> upgraded = stackalloc char[18];
        kept[..6].CopyTo(upgraded);
        upgraded[6] = '1';
        upgraded[7] = '9';
        kept[6..15].CopyTo(upgraded[8..]);
        upgraded[17] = ComputeCheckCharacter(upgraded);
        candidate = upgraded.ToString();
        return true;
    }

    private static bool Fail(IdNumberError reason, out IdNumberError error)
    {
        error = reason;
        return false;
    }

    /// <summary>Validates an 18-character candidate from <see cref="TryNormalise"/>; null when valid.</summary>
    private static IdNumberError? Validate(string candidate, DateOnly today, out DateOnly birthDate)
    {
        birthDate = default;
        if (!AdministrativeRegionCode.HasProvincePrefix(candidate))
            return IdNumberError.InvalidRegion;

        var year = ReadNumber(candidate.AsSpan(6, 4));
        var month = ReadNumber(candidate.AsSpan(10, 2));
        var day = ReadNumber(candidate.AsSpan(12, 2));
        if (year < 1900 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return IdNumberError.InvalidBirthDate;
        birthDate = new DateOnly(year, month, day);
        if (birthDate > today)
            return IdNumberError.BirthDateInFuture;

        if (ComputeCheckCharacter(candidate) != candidate[17])
            return IdNumberError.InvalidChecksum;
        return null;
    }

    /// <summary>Reads ASCII digits as a non-negative integer.</summary>
    private static int ReadNumber(ReadOnlySpan<char> digits)
    {
        var value = 0;
        foreach (var c in digits)
            value = value * 10 + (c - '0');
        return value;
    }
}
