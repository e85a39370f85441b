using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PensionCert.Core.Protection;

namespace PensionCert.Core.Tests.Protection;

public sealed class PersonalDataProtectorTests
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    private static AesGcmPersonalDataProtector Protector(string active, params (string Id, string Key)[] keys) =>
        new(Options.Create(new DataProtectionOptions { ActiveKeyId = active, Keys = keys.ToDictionary(k => k.Id, k => k.Key) }));

    [Fact]
    public void Protect_ThenUnprotect_ReturnsPlaintextAndHidesIt()
    {
        var protector = Protector("a", ("a", KeyA));
        var token = protector.Protect("欧阳测试", "p1/name");

        Assert.StartsWith("a:", token);
        Assert.DoesNotContain("欧阳", token);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("欧阳测试")), token);
        Assert.Equal("欧阳测试", protector.Unprotect(token, "p1/name"));
    }

    [Fact]
    public void Protect_SameValueTwice_DifferentCiphertexts()
    {
        var protector = Protector("a", ("a", KeyA));
        Assert.NotEqual(protector.Protect("110101194001011234", "p1/idNumber"), protector.Protect("110101194001011234", "p1/idNumber"));
    }

    [Fact]
    public void Unprotect_OtherContext_Throws()
    {
        var protector = Protector("a", ("a", KeyA));
        var token = protector.Protect("张三", "p1/name");
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(token, "p2/name"));
    }

    [Fact]
    public void Unprotect_TamperedCiphertext_Throws()
    {
        var protector = Protector("a", ("a", KeyA));
        var token = protector.Protect("张三", "p1/name");
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(2));
        bytes[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect("a:" + System.Buffers.Text.Base64Url.EncodeToString(bytes), "p1/name"));
    }

    [Fact]
    public void Rotation_OldValuesStillDecrypt_NewValuesUseActiveKey()
    {
        var old = Protector("a", ("a", KeyA)).Protect("李四", "p1/name");
        var rotated = Protector("b", ("a", KeyA), ("b", KeyB));

        Assert.Equal("李四", rotated.Unprotect(old, "p1/name"));
        Assert.StartsWith("b:", rotated.Protect("李四", "p1/name"));
    }

    [Fact]
    public void Unprotect_RetiredKeyRemoved_Throws()
    {
        var old = Protector("a", ("a", KeyA)).Protect("李四", "p1/name");
        Assert.ThrowsAny<CryptographicException>(() => Protector("b", ("b", KeyB)).Unprotect(old, "p1/name"));
    }

    [Theory]
    [InlineData("missing", "a", "AAAA")]
    [InlineData("a", "a", "AAAA")]
    [InlineData("a", "bad id!", "")]
    public void Validate_BadKeys_FailNamingTheSetting(string active, string id, string key)
    {
        var options = new DataProtectionOptions { ActiveKeyId = active, Keys = { [id] = key == "" ? KeyA : key } };
        var errors = AesGcmPersonalDataProtector.Validate(options);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("PensionCert:DataProtection", e));
        Assert.Throws<OptionsValidationException>(() => new AesGcmPersonalDataProtector(Options.Create(options)));
    }
}
