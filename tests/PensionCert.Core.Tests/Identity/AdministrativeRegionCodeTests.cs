using PensionCert.Core.Identity;

namespace PensionCert.Core.Tests.Identity;

public sealed class AdministrativeRegionCodeTests
{
    [Theory]
    [InlineData("110101", "110101")]
    [InlineData("110000", "110000")]
    [InlineData(" 440305 ", "440305")]
    [InlineData("\t650102\r\n", "650102")]
    [InlineData("\u3000310104\u3000", "310104")]
    [InlineData("710000", "710000")]
    [InlineData("810000", "810000")]
    [InlineData("820000", "820000")]
    public void TryParse_SixDigitsWithKnownProvince_ReturnsTrimmedCode(string input, string expected)
    {
        Assert.True(AdministrativeRegionCode.TryParse(input, out var code));
        Assert.Equal(expected, code.Value);
        Assert.Equal(expected, code.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("      ")]
    [InlineData("000000")]
    [InlineData("100000")]
    [InlineData("160101")]
    [InlineData("830000")]
    [InlineData("990000")]
    [InlineData("11010")]
    [InlineData("1101011")]
    [InlineData("11010a")]
    [InlineData("110 101")]
    [InlineData("110-101")]
    [InlineData("１１０１０１")]
    [InlineData("110101;")]
    [InlineData("-11010")]
    public void TryParse_InvalidInput_ReturnsFalseAndDefault(string? input)
    {
        Assert.False(AdministrativeRegionCode.TryParse(input, out var code));
        Assert.Equal(default, code);
        Assert.Equal(string.Empty, code.Value);
    }

    [Theory]
    [InlineData("11", true)][InlineData("12", true)][InlineData("13", true)][InlineData("14", true)][InlineData("15", true)]
    [InlineData("21", true)][InlineData("22", true)][InlineData("23", true)]
    [InlineData("31", true)][InlineData("32", true)][InlineData("33", true)][InlineData("34", true)][InlineData("35", true)][InlineData("36", true)][InlineData("37", true)]
    [InlineData("41", true)][InlineData("42", true)][InlineData("43", true)][InlineData("44", true)][InlineData("45", true)][InlineData("46", true)]
    [InlineData("50", true)][InlineData("51", true)][InlineData("52", true)][InlineData("53", true)][InlineData("54", true)]
    [InlineData("61", true)][InlineData("62", true)][InlineData("63", true)][InlineData("64", true)][InlineData("65", true)]
    [InlineData("71", true)][InlineData("81", true)][InlineData("82", true)]
    public void TryParse_EveryProvincePrefix_ReturnsTrue(string province, bool expected)
    {
        Assert.Equal(expected, AdministrativeRegionCode.TryParse(province + "0000", out _));
    }

    [Fact]
    public void TryParse_AllTwoDigitPrefixes_AcceptsExactlyThe34ProvinceLevelCodes()
    {
        var accepted = Enumerable.Range(0, 100)
            .Select(p => p.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))
            .Where(p => AdministrativeRegionCode.TryParse(p + "0101", out _))
            .ToArray();

        Assert.Equal(34, accepted.Length);
        Assert.Equal("11", accepted[0]);
        Assert.Equal("82", accepted[^1]);
    }
}
