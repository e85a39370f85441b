namespace PensionCert.Core.Tests.Identity;

/// <summary>Builds valid test numbers with a check character computed independently of the production code.</summary>
internal static class IdNumberTestData
{
    /// <summary>Today's date used by most tests.</summary>
    public static readonly DateOnly Today = new(2025, 6, 1);

    /// <summary>
    /// Appends the ISO 7064 MOD 11-2 check character to 17 digits. Derived from the definition (weight of position i
    /// is 2^(18-i) mod 11; the check value c makes the weighted sum plus c congruent to 1 mod 11), not from the
    /// production table.
    /// </summary>
    public static string WithCheck(string first17)
    {
        Assert.Equal(17, first17.Length);
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var weight = 1;
            for (var k = 0; k < 17 - i; k++)
                weight = weight * 2 % 11;
            sum += (first17[i] - '0') * weight;
        }
        var check = (12 - sum % 11) % 11;
        return first17 + (check == 10 ? "X" : check.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A valid number with the given region, birth date (yyyyMMdd) and sequence.</summary>
    public static string Build(string region, string birthDate, string sequence = "123") => WithCheck(region + birthDate + sequence);

    /// <summary>The same number with a different, wrong, check character.</summary>
    public static string WithWrongCheck(string valid)
    {
        var wrong = valid[17] == '0' ? '1' : '0';
        return valid[..17] + wrong;
    }
}
