using System.ComponentModel.DataAnnotations;
using PensionCert.Core.Sessions;

namespace PensionCert.Core.Tests.Sessions;

/// <summary>The daily session cap is validated like every option (start-up fails on a value out of range).</summary>
public sealed class SessionOptionsTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(10, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void MaxSessionsPerPensionerPerDay_OneToOneHundred(int value, bool valid)
    {
        var options = new SessionOptions { MaxSessionsPerPensionerPerDay = value };
        var errors = new List<ValidationResult>();

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Equal(valid ? [] : [nameof(SessionOptions.MaxSessionsPerPensionerPerDay)], errors.SelectMany(e => e.MemberNames));
        Assert.Equal(10, new SessionOptions().MaxSessionsPerPensionerPerDay);
    }
}
