using PensionCert.Core.Identity;
using static PensionCert.Core.Tests.Identity.IdNumberTestData;

namespace PensionCert.Core.Tests.Identity;

public sealed class CitizenIdNumberTests
{
    // The example number printed in GB 11643-1999 and widely published as a sample.
    private const string StandardSample = "11010519491231002X";

    [Fact]
    public void WithCheck_StandardSample_MatchesPublishedCheckCharacter()
    {
        // Guards the test oracle itself against the published sample.
        Assert.Equal(StandardSample, WithCheck(StandardSample[..17]));
    }

    [Fact]
    public void TryParse_StandardSample_ReturnsTrueWithFields()
    {
        var ok = CitizenIdNumber.TryParse(StandardSample, Today, out var id, out _);

        Assert.True(ok);
        Assert.Equal(StandardSample, id.Value);
        Assert.Equal(new DateOnly(1949, 12, 31), id.BirthDate);
        Assert.Equal("110105", id.RegionCode);
    }

    [Fact]
    public void TryParse_PublishedSampleBornIn1880_ReturnsInvalidBirthDate()
    {
        // 440524188001010014 is the other GB 11643-1999 example; its checksum is right but 1880 is before 1900.
        Assert.Equal('4', WithCheck("44052418800101001")[17]);

        var ok = CitizenIdNumber.TryParse("440524188001010014", Today, out var id, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidBirthDate, error);
        Assert.Equal(default, id);
    }

    [Theory]
    [InlineData("110101", "19500101", "001")]
    [InlineData("310104", "19621015", "456")]
    [InlineData("440305", "19560229", "789")]
    [InlineData("650102", "19400707", "999")]
    [InlineData("820000", "19551111", "000")]
    [InlineData("710000", "19600301", "321")]
    public void TryParse_ComputedValidNumber_ReturnsTrue(string region, string birth, string sequence)
    {
        var input = Build(region, birth, sequence);

        Assert.True(CitizenIdNumber.TryParse(input, Today, out var id, out _));
        Assert.Equal(input, id.Value);
        Assert.Equal(region, id.RegionCode);
    }

    [Fact]
    public void TryParse_EveryCheckCharacter_AcceptsOnlyTheComputedOne()
    {
        // Vary the sequence so that every one of the 11 check characters occurs as the correct one.
        var seen = new HashSet<char>();
        for (var sequence = 0; sequence < 200; sequence++)
        {
            var valid = Build("110101", "19520315", sequence.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            seen.Add(valid[17]);
            foreach (var candidate in "0123456789X")
            {
                var input = valid[..17] + candidate;
                var ok = CitizenIdNumber.TryParse(input, Today, out _, out var error);
                Assert.Equal(candidate == valid[17], ok);
                if (!ok)
                    Assert.Equal(IdNumberError.InvalidChecksum, error);
            }
        }
        Assert.Equal(11, seen.Count);
    }

    [Fact]
    public void TryParse_SingleDigitTypo_ReturnsInvalidChecksum()
    {
        // 11010519491231002X with the sequence digit 0 -> 1: region and date stay valid.
        var ok = CitizenIdNumber.TryParse("11010519491231102X", Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidChecksum, error);
    }

    [Fact]
    public void TryParse_WrongCheckCharacter_ReturnsInvalidChecksum()
    {
        var ok = CitizenIdNumber.TryParse(WithWrongCheck(Build("110101", "19500101")), Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidChecksum, error);
    }

    [Fact]
    public void TryParse_LowerAndUpperX_ParseToSameValue()
    {
        Assert.True(CitizenIdNumber.TryParse("11010519491231002x", Today, out var lower, out _));
        Assert.True(CitizenIdNumber.TryParse("11010519491231002X", Today, out var upper, out _));

        Assert.Equal("11010519491231002X", lower.Value);
        Assert.Equal(upper, lower);
    }

    [Theory]
    [InlineData("１１０１０５１９４９１２３１００２Ｘ")]
    [InlineData("１１０１０５１９４９１２３１００２ｘ")]
    [InlineData("110105 19491231 002X")]
    [InlineData("  11010519491231002X  ")]
    [InlineData("\u3000110105\u300019491231\u3000002X\u3000")]
    [InlineData("110105\u00A019491231\t002X\r\n")]
    [InlineData("１１０１０５　１９４９１２３１　００２Ｘ")]
    public void TryParse_FullWidthAndWhitespace_NormalisesToAsciiValue(string input)
    {
        Assert.True(CitizenIdNumber.TryParse(input, Today, out var id, out _));
        Assert.Equal("11010519491231002X", id.Value);
    }

    [Theory]
    [InlineData("11010519491231002X'")]
    [InlineData("'11010519491231002X")]
    [InlineData("110105194912310;2X")]
    [InlineData("11010519491231002X;DROP TABLE")]
    [InlineData("<11010519491231002X>")]
    [InlineData("110105-19491231-002X")]
    [InlineData("11010519491231002X\0")]
    [InlineData("110105\u200B19491231002X")]
    [InlineData("\uFEFF11010519491231002X")]
    [InlineData("11010519491231002Y")]
    [InlineData("abcdefghijklmnopqr")]
    [InlineData("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")]
    [InlineData("11010519491231002X\uD800")]
    public void TryParse_InjectedOrForeignCharacters_ReturnsInvalidCharacters(string input)
    {
        var ok = CitizenIdNumber.TryParse(input, Today, out var id, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidCharacters, error);
        Assert.Equal(string.Empty, id.Value);
    }

    [Theory]
    [InlineData("X1010519491231002X")]
    [InlineData("1101051949123100X2")]
    [InlineData("11010549123100X")]
    public void TryParse_XOutsideCheckPosition_ReturnsInvalidCharacters(string input)
    {
        var ok = CitizenIdNumber.TryParse(input, Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidCharacters, error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\u3000\t\r\n")]
    public void TryParse_NullOrBlank_ReturnsEmpty(string? input)
    {
        var ok = CitizenIdNumber.TryParse(input, Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.Empty, error);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("11010519491231")]
    [InlineData("1101054912310")]
    [InlineData("1101054912310021")]
    [InlineData("11010519491231002")]
    [InlineData("11010519491231002X1")]
    [InlineData("1101051949123100201")]
    [InlineData("110105194912310020110105")]
    public void TryParse_WrongLength_ReturnsInvalidLength(string input)
    {
        var ok = CitizenIdNumber.TryParse(input, Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidLength, error);
    }

    [Fact]
    public void TryParse_InputLongerThan64Characters_ReturnsInvalidLength()
    {
        var input = "11010519491231002X" + new string(' ', 47);

        var ok = CitizenIdNumber.TryParse(input, Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidLength, error);
    }

    [Fact]
    public void TryParse_Input64CharactersWithSpaces_ReturnsTrue()
    {
        var input = "11010519491231002X" + new string(' ', 46);
        Assert.Equal(64, input.Length);

        Assert.True(CitizenIdNumber.TryParse(input, Today, out var id, out _));
        Assert.Equal("11010519491231002X", id.Value);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("10")]
    [InlineData("16")]
    [InlineData("20")]
    [InlineData("24")]
    [InlineData("38")]
    [InlineData("47")]
    [InlineData("55")]
    [InlineData("66")]
    [InlineData("72")]
    [InlineData("80")]
    [InlineData("83")]
    [InlineData("91")]
    [InlineData("99")]
    public void TryParse_UnknownProvincePrefix_ReturnsInvalidRegion(string province)
    {
        var ok = CitizenIdNumber.TryParse(Build(province + "0101", "19500101"), Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidRegion, error);
    }

    [Theory]
    [InlineData("11")][InlineData("15")][InlineData("21")][InlineData("23")][InlineData("31")][InlineData("37")]
    [InlineData("41")][InlineData("46")][InlineData("50")][InlineData("54")][InlineData("61")][InlineData("65")]
    [InlineData("71")][InlineData("81")][InlineData("82")]
    public void TryParse_ProvincePrefixAtRangeEdge_ReturnsTrue(string province)
    {
        Assert.True(CitizenIdNumber.TryParse(Build(province + "0101", "19500101"), Today, out var id, out _));
        Assert.Equal(province + "0101", id.RegionCode);
    }

    [Theory]
    [InlineData("20230229")] // 2023 is not a leap year
    [InlineData("19000229")] // 1900 is not a leap year (century rule)
    [InlineData("20240230")]
    [InlineData("19500230")]
    [InlineData("19500431")]
    [InlineData("19501301")]
    [InlineData("19500001")]
    [InlineData("19500100")]
    [InlineData("19500132")]
    [InlineData("18991231")]
    [InlineData("00000000")]
    public void TryParse_ImpossibleBirthDate_ReturnsInvalidBirthDate(string birth)
    {
        var ok = CitizenIdNumber.TryParse(Build("110101", birth), Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.InvalidBirthDate, error);
    }

    [Theory]
    [InlineData("20000229", 2000, 2, 29)]
    [InlineData("20240229", 2024, 2, 29)]
    [InlineData("19000101", 1900, 1, 1)]
    [InlineData("19520229", 1952, 2, 29)]
    public void TryParse_LeapDayOrEarliestDate_ReturnsTrueWithBirthDate(string birth, int year, int month, int day)
    {
        Assert.True(CitizenIdNumber.TryParse(Build("110101", birth), Today, out var id, out _));
        Assert.Equal(new DateOnly(year, month, day), id.BirthDate);
    }

    [Fact]
    public void TryParse_BirthDateDayAfterToday_ReturnsBirthDateInFuture()
    {
        var today = new DateOnly(2025, 6, 1);

        var ok = CitizenIdNumber.TryParse(Build("110101", "20250602"), today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(IdNumberError.BirthDateInFuture, error);
    }

    [Fact]
    public void TryParse_BirthDateEqualsToday_ReturnsTrue()
    {
        var today = new DateOnly(2025, 6, 1);

        Assert.True(CitizenIdNumber.TryParse(Build("110101", "20250601"), today, out var id, out _));
        Assert.Equal(today, id.BirthDate);
    }

    [Fact]
    public void TryParse_SameNumberEarlierToday_IsJudgedAgainstTodayArgument()
    {
        var input = Build("110101", "20250602");

        Assert.True(CitizenIdNumber.TryParse(input, new DateOnly(2025, 6, 2), out _, out _));
        Assert.False(CitizenIdNumber.TryParse(input, new DateOnly(2025, 6, 1), out _, out var error));
        Assert.Equal(IdNumberError.BirthDateInFuture, error);
    }

    [Theory]
    [InlineData("110105491231002", "11010519491231002X")]
    [InlineData("440524501010001", "440524195010100017")]
    [InlineData("310104520229456", "310104195202294569")]
    [InlineData("110101000101123", "110101190001011236")]
    public void TryParse_FifteenDigitLegacyNumber_UpgradesToEighteenDigits(string legacy, string expected)
    {
        Assert.True(CitizenIdNumber.TryParse(legacy, Today, out var id, out _));
        Assert.Equal(expected, id.Value);
    }

    [Fact]
    public void TryParse_FifteenDigitAndUpgradedNumber_AreEqual()
    {
        Assert.True(CitizenIdNumber.TryParse("110105491231002", Today, out var legacy, out _));
        Assert.True(CitizenIdNumber.TryParse("11010519491231002X", Today, out var current, out _));

        Assert.Equal(current, legacy);
        Assert.Equal(new DateOnly(1949, 12, 31), legacy.BirthDate);
    }

    [Fact]
    public void TryParse_FifteenDigitFullWidthWithSpaces_Upgrades()
    {
        Assert.True(CitizenIdNumber.TryParse("１１０１０５ ４９１２３１ ００２", Today, out var id, out _));
        Assert.Equal("11010519491231002X", id.Value);
    }

    [Theory]
    [InlineData("110105490230002", IdNumberError.InvalidBirthDate)]
    [InlineData("110105620229456", IdNumberError.InvalidBirthDate)]
    [InlineData("990105491231002", IdNumberError.InvalidRegion)]
    public void TryParse_InvalidFifteenDigitNumber_ReturnsError(string legacy, IdNumberError expected)
    {
        var ok = CitizenIdNumber.TryParse(legacy, Today, out _, out var error);

        Assert.False(ok);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Masked_ValidNumber_HidesBirthDate()
    {
        var id = CitizenIdNumber.Parse("11010519491231002X", Today);

        Assert.Equal("110105********002X", id.Masked);
        Assert.Equal(18, id.Masked.Length);
    }

    [Fact]
    public void Masked_BriefExample_KeepsFirstSixAndLastFour()
    {
        var id = CitizenIdNumber.Parse(Build("110101", "19500101", "123"), Today);

        Assert.Equal("110101********" + id.Value[14..], id.Masked);
        Assert.DoesNotContain("19500101", id.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_ValidNumber_ReturnsMaskedNeverFullNumber()
    {
        var id = CitizenIdNumber.Parse("11010519491231002X", Today);

        Assert.Equal("110105********002X", id.ToString());
        Assert.Equal("id=110105********002X", $"id={id}");
        Assert.DoesNotContain(id.Value, id.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("19491231", string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", id), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Default_ReturnsEmpty()
    {
        var id = default(CitizenIdNumber);

        Assert.Equal(string.Empty, id.ToString());
        Assert.Equal(string.Empty, id.Value);
        Assert.Equal(string.Empty, id.RegionCode);
    }

    [Fact]
    public void Parse_ValidInput_ReturnsNumber()
    {
        Assert.Equal("11010519491231002X", CitizenIdNumber.Parse(" 11010519491231002x ", Today).Value);
    }

    [Fact]
    public void Parse_InvalidChecksum_ThrowsFormatExceptionWithoutPersonalData()
    {
        const string input = "110105194912310021";

        var exception = Assert.Throws<FormatException>(() => CitizenIdNumber.Parse(input, Today));

        Assert.Contains(nameof(IdNumberError.InvalidChecksum), exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(input, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("110105", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1949", exception.Message, StringComparison.Ordinal);
        Assert.Equal(IdNumberError.InvalidChecksum, exception.Data[nameof(IdNumberError)]);
    }

    [Fact]
    public void Parse_FutureBirthDate_ThrowsFormatExceptionNamingError()
    {
        var exception = Assert.Throws<FormatException>(() => CitizenIdNumber.Parse(Build("110101", "20300101"), Today));

        Assert.Equal(IdNumberError.BirthDateInFuture, exception.Data[nameof(IdNumberError)]);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => CitizenIdNumber.Parse(null!, Today));

        Assert.Equal("input", exception.ParamName);
    }
}
