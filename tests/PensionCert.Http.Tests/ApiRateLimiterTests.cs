namespace PensionCert.Http.Tests;

/// <summary>The partitions of <see cref="ApiRateLimiter"/>: one bucket per identity, pensioner buckets only when asked.</summary>
public sealed class ApiRateLimiterTests
{
    private static ApiRateLimiter Limiter(bool enabled = true) => new(Microsoft.Extensions.Options.Options.Create(new RateLimitOptions
    {
        Enabled = enabled,
        ClientPermitsPerMinute = 5,
        OperatorPermitsPerMinute = 3,
        AnonymousPermitsPerMinute = 2,
        PensionerPermitsPerMinute = 4,
    }));

    [Fact]
    public void EachIdentityKind_HasItsOwnLimit()
    {
        using var limiter = Limiter();
        Assert.Equal(5, Accepted(limiter, RateLimitIdentity.Client, "wechat", 10));
        Assert.Equal(3, Accepted(limiter, RateLimitIdentity.Operator, "op-1", 10));
        Assert.Equal(2, Accepted(limiter, RateLimitIdentity.Address, "10.0.0.1", 10));
        // Other partitions of the same kinds are untouched.
        Assert.Equal(5, Accepted(limiter, RateLimitIdentity.Client, "alipay", 10));
        Assert.Equal(2, Accepted(limiter, RateLimitIdentity.Address, "10.0.0.2", 10));
        // Same key, different kind: a client named like an address does not share its bucket.
        Assert.Equal(5, Accepted(limiter, RateLimitIdentity.Client, "10.0.0.1", 10));
    }

    [Fact]
    public void PensionerBucket_CountsOnlyCallsThatNameIt()
    {
        using var limiter = Limiter();
        // An unauthorised flood (the API passes no pensioner for it) is refused by its address bucket ...
        Assert.Equal(2, Accepted(limiter, RateLimitIdentity.Address, "10.0.0.9", 10));
        // ... and never touched the pensioner's: a client still gets all four permits for it.
        var granted = Enumerable.Range(0, 5).Count(_ => limiter.TryAcquire(RateLimitIdentity.Client, "app", "p1") is null);
        Assert.Equal(4, granted);
        Assert.Null(limiter.TryAcquire(RateLimitIdentity.Client, "other", "p2"));
    }

    [Fact]
    public void Refusal_CarriesAWaitOfAtLeastOneSecond()
    {
        using var limiter = Limiter();
        Accepted(limiter, RateLimitIdentity.Operator, "op-2", 3);
        var wait = limiter.TryAcquire(RateLimitIdentity.Operator, "op-2", null);
        Assert.NotNull(wait);
        Assert.InRange(wait!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(0, wait.Value.Ticks % TimeSpan.TicksPerSecond);
    }

    [Fact]
    public void Disabled_NeverRefuses()
    {
        using var limiter = Limiter(enabled: false);
        Assert.False(limiter.Enabled);
        Assert.Equal(100, Accepted(limiter, RateLimitIdentity.Address, "10.0.0.1", 100));
    }

    private static int Accepted(ApiRateLimiter limiter, RateLimitIdentity identity, string key, int attempts) =>
        Enumerable.Range(0, attempts).Count(_ => limiter.TryAcquire(identity, key, null) is null);

}
