using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Tests.Storage;

/// <summary>Certification ids that name their pensioner, beside those of the old layout; the pensioner-id cache's bound.</summary>
public sealed class IdsTests
{
    [Fact]
    public void CertificationIdFor_NamesThePensioner_BothShapesAreCertificationIds()
    {
        var pensionerId = Ids.NewPensionerId();
        var old = Ids.NewCertificationId();
        var id = Ids.CertificationIdFor(old, pensionerId);

        Assert.Equal(65, id.Length);
        Assert.StartsWith(old, id, StringComparison.Ordinal);
        Assert.Equal(pensionerId, Ids.PensionerIdOf(id));
        Assert.True(Ids.IsCertificationId(id));
        Assert.True(Ids.IsCertificationId(old));
        Assert.Null(Ids.PensionerIdOf(old));
        Assert.False(Ids.IsCertificationId(id[..64]));
        Assert.False(Ids.IsCertificationId(id.ToUpperInvariant()));
        Assert.False(Ids.IsCertificationId("p" + id[1..]));
        Assert.Throws<ArgumentException>(() => Ids.CertificationIdFor(id, pensionerId));
        Assert.Throws<ArgumentException>(() => Ids.CertificationIdFor(old, old));
    }

    [Fact]
    public void PensionerIdCache_BoundedByItsOption_ForgetsAndCanBeOff()
    {
        var cache = new PensionerIdCache(Options.Create(new CertificationOptions { PensionerIdCacheEntries = 3 }));
        for (var i = 0; i < 3; i++) cache.Remember("hash" + i, "p" + i);
        Assert.Equal(3, cache.Count);
        Assert.Equal("p1", cache.Find("hash1"));
        cache.Remember("hash1", "p1");
        Assert.Equal(3, cache.Count);
        cache.Remember("hash3", "p3");
        Assert.Equal(1, cache.Count);
        Assert.Null(cache.Find("hash0"));
        Assert.Equal("p3", cache.Find("hash3"));
        cache.Forget("hash3");
        Assert.Null(cache.Find("hash3"));

        var off = new PensionerIdCache(Options.Create(new CertificationOptions { PensionerIdCacheEntries = 0 }));
        off.Remember("hash", "p");
        Assert.Null(off.Find("hash"));
    }
}
