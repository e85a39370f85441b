using System.Globalization;

namespace PensionCert.IntegrationTests;

/// <summary>Makes valid, unique 18-digit citizen ID numbers (GB 11643-1999 check character) for test pensioners.</summary>
public static class TestIdNumbers
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> Issued = new(StringComparer.Ordinal);

    /// <summary>A new random number in region 110105 born 1940-1960, never one this test run has issued before.</summary>
    public static string New(string region = "110105")
    {
        while (true)
        {
            var birth = new DateOnly(1940, 1, 1).AddDays(Random.Shared.Next(0, 365 * 20));
            var body = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + Random.Shared.Next(0, 1000).ToString("D3", CultureInfo.InvariantCulture);
            var number = Core.Identity.CitizenIdNumber.WithCheckCharacter(body);
            if (Issued.TryAdd(number, 0)) return number;
        }
    }
}
