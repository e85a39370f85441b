namespace PensionCert.Core.Identity;

/// <summary>
/// A six-digit administrative division code (行政区划代码) as defined by GB/T 2260, e.g. <c>110101</c>
/// (北京市东城区). The first two digits are the province-level division.
/// </summary>
/// <remarks>
/// Only the province-level prefix is checked, against the GB/T 2260 list 11-15, 21-23, 31-37, 41-46, 50-54,
/// 61-65, 71 (台湾), 81 (香港), 82 (澳门). The remaining four digits are not yet checked against the full
/// GB/T 2260 table, so a code for a county that does not exist (or no longer exists) is accepted.
/// <c>default(AdministrativeRegionCode)</c> is not a parsed code: its <see cref="Value"/> is empty.
/// </remarks>
public readonly record struct AdministrativeRegionCode
{
    private readonly string? _value;

    private AdministrativeRegionCode(string value) => _value = value;

    /// <summary>Exactly six ASCII digits, e.g. <c>110101</c>; empty for <c>default</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>
    /// Parses a region code: after trimming leading and trailing whitespace the input must be exactly six ASCII
    /// digits (no full-width digits) starting with a GB/T 2260 province-level code.
    /// </summary>
    /// <param name="input">Candidate code; null gives false.</param>
    /// <param name="code">The parsed code, or <c>default</c> when false is returned.</param>
    /// <returns>True when <paramref name="input"/> is a valid code.</returns>
    public static bool TryParse(string? input, out AdministrativeRegionCode code)
    {
        code = default;
        var trimmed = input.AsSpan().Trim();
        if (trimmed.Length != 6)
            return false;
        foreach (var c in trimmed)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }
        if (!HasProvincePrefix(trimmed))
            return false;
        code = new AdministrativeRegionCode(trimmed.ToString());
        return true;
    }

    /// <summary>
    /// The prefix of the codes this code covers: the first two digits for a province-level code (<c>110000</c> →
    /// <c>11</c>), four for a prefecture-level code (<c>440300</c> → <c>4403</c>), all six otherwise (a county covers
    /// only itself). The same rule decides which regions an operator serves.
    /// </summary>
    public string CoveredPrefix => Value.EndsWith("0000", StringComparison.Ordinal) ? Value[..2]
        : Value.EndsWith("00", StringComparison.Ordinal) ? Value[..4] : Value;

    /// <summary>The six digits.</summary>
    public override string ToString() => Value;

    /// <summary>
    /// True when the first two characters of <paramref name="digits"/> (ASCII digits) are a GB/T 2260
    /// province-level code: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81 or 82.
    /// </summary>
    internal static bool HasProvincePrefix(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 2 || !char.IsAsciiDigit(digits[0]) || !char.IsAsciiDigit(digits[1]))
            return false;
        var province = (digits[0] - '0') * 10 + (digits[1] - '0');
        return province is (>= 11 and <= 15) or (>= 21 and <= 23) or (>= 31 and <= 37) or (>= 41 and <= 46)
            or (>= 50 and <= 54) or (>= 61 and <= 65) or 71 or 81 or 82;
    }
}
