namespace PensionCert.Core.Certification;

/// <summary>Where a certification came from. Wire names are the kebab-case strings of <see cref="CertificationChannels"/>.</summary>
public enum CertificationChannel
{
    Alipay,
    WeChat,
    ElectronicSocialSecurityCard,
    App,
    Counter,
    Community,
    HomeVisit,
}

/// <summary>Maps channels to and from their stable wire names (alipay, wechat, e-ssc, app, counter, community, home-visit).</summary>
public static class CertificationChannels
{
    private static readonly Dictionary<string, CertificationChannel> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alipay"] = CertificationChannel.Alipay,
        ["wechat"] = CertificationChannel.WeChat,
        ["e-ssc"] = CertificationChannel.ElectronicSocialSecurityCard,
        ["app"] = CertificationChannel.App,
        ["counter"] = CertificationChannel.Counter,
        ["community"] = CertificationChannel.Community,
        ["home-visit"] = CertificationChannel.HomeVisit,
    };

    /// <summary>Every wire name.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Parses a wire name (case-insensitive).</summary>
    public static bool TryParse(string? name, out CertificationChannel channel) =>
        ByName.TryGetValue(name?.Trim() ?? "", out channel);

    /// <summary>True for the self-service channels (alipay, wechat, e-ssc, app); false for counter, community and home visit.</summary>
    public static bool IsOnline(this CertificationChannel channel) =>
        channel is CertificationChannel.Alipay or CertificationChannel.WeChat or CertificationChannel.ElectronicSocialSecurityCard or CertificationChannel.App;

    /// <summary>The wire name of a channel.</summary>
    public static string ToWireName(this CertificationChannel channel) => channel switch
    {
        CertificationChannel.Alipay => "alipay",
        CertificationChannel.WeChat => "wechat",
        CertificationChannel.ElectronicSocialSecurityCard => "e-ssc",
        CertificationChannel.App => "app",
        CertificationChannel.Counter => "counter",
        CertificationChannel.Community => "community",
        CertificationChannel.HomeVisit => "home-visit",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };
}
