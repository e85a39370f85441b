using System.Globalization;

namespace PensionCert.IntegrationTests;

/// <summary>Makes valid, unique 18-digit citizen ID numbers (GB 11643-1999 check character) for test pensioners.</summary>
public static class TestIdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>A new random number in region 110105 born 1940-1960.</summary>
    public static string New(string region = "110105")
    {
        var birth = new DateOnly(1940, 1, 1).AddDays(Random.Shared.Next(0, 365 * 20));
        var body = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Random.Shared.Next(0, 1000).ToString("D3", CultureInfo.InvariantCulture);
        return body + Check(body);
    }

    /// <summary>The ISO 7064 MOD 11-2 check character of the first 17 digits.</summary>
    public static char Check(string first17) =>
        CheckCharacters[first17.Select((c, i) => (c - '0') * Weights[i]).Sum() % 11];
}
