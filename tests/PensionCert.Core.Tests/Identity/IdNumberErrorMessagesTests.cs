using PensionCert.Core.Identity;

namespace PensionCert.Core.Tests.Identity;

public sealed class IdNumberErrorMessagesTests
{
    [Fact]
    public void ToChinese_InvalidChecksum_ReturnsChecksumMessage()
    {
        Assert.Equal("身份证号码校验位不正确，请核对后重新输入。", IdNumberErrorMessages.ToChinese(IdNumberError.InvalidChecksum));
    }

    [Fact]
    public void ToChinese_EveryError_ReturnsDistinctChineseMessage()
    {
        var messages = Enum.GetValues<IdNumberError>().Select(IdNumberErrorMessages.ToChinese).ToArray();

        Assert.Equal(7, messages.Length);
        Assert.Equal(messages.Length, messages.Distinct(StringComparer.Ordinal).Count());
        Assert.All(messages, m => Assert.Contains("身份证号码", m, StringComparison.Ordinal));
        Assert.All(messages, m => Assert.EndsWith("。", m, StringComparison.Ordinal));
    }

    [Fact]
    public void ToChinese_UndefinedValue_ThrowsArgumentOutOfRange()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => IdNumberErrorMessages.ToChinese((IdNumberError)99));

        Assert.Equal("error", exception.ParamName);
    }
}
