namespace PensionCert.Core.Identity;

/// <summary>
/// Short Simplified Chinese (zh-CN) messages for <see cref="IdNumberError"/>, written for a pensioner entering
/// their own number. They never repeat the number.
/// </summary>
public static class IdNumberErrorMessages
{
    /// <summary>The zh-CN message for <paramref name="error"/>, e.g. "身份证号码校验位不正确，请核对后重新输入。".</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is not a defined <see cref="IdNumberError"/> value.</exception>
    public static string ToChinese(IdNumberError error) => error switch
    {
        IdNumberError.Empty => "请输入身份证号码。",
        IdNumberError.InvalidCharacters => "身份证号码只能包含数字和字母X，请核对后重新输入。",
        IdNumberError.InvalidLength => "身份证号码应为18位（或旧版15位），请核对后重新输入。",
        IdNumberError.InvalidRegion => "身份证号码开头的地区代码不正确，请核对后重新输入。",
        IdNumberError.InvalidBirthDate => "身份证号码中的出生日期不正确，请核对后重新输入。",
        IdNumberError.BirthDateInFuture => "身份证号码中的出生日期晚于今天，请核对后重新输入。",
        IdNumberError.InvalidChecksum => "身份证号码校验位不正确，请核对后重新输入。",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "Unknown identity number error."),
    };
}
