using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using PensionCert.Core.Errors;
using PensionCert.Http;

namespace PensionCert.LocalHost;

/// <summary>
/// Request rate limits of the local host, section <c>PensionCert:RateLimits</c> (ASP.NET Core rate limiting
/// middleware, in memory per process). In Azure the equivalent is API Management (<c>rate-limit-by-key</c> on the
/// subscription or <c>x-functions-key</c>, and on the pensioner id) in front of the Function App; see the README.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:RateLimits";

    /// <summary>Requests per minute per client key (token bucket; requests without a key count per remote address).</summary>
    [Range(1, 1_000_000)]
    public int ClientPermitsPerMinute { get; set; } = 600;

    /// <summary>Requests per minute per pensioner id in the route (eligibility, operator reads).</summary>
    [Range(1, 100_000)]
    public int PensionerPermitsPerMinute { get; set; } = 30;
}

/// <summary>Builds the chained limiter: per client key (or remote address), then per pensioner id in the route.</summary>
internal static class RateLimits
{
    public static void Configure(RateLimiterOptions limiter, RateLimitOptions limits)
    {
        limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetTokenBucketLimiter(ClientPartition(context), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.ClientPermitsPerMinute,
                TokensPerPeriod = limits.ClientPermitsPerMinute,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })),
            PartitionedRateLimiter.Create<HttpContext, string>(context => context.GetRouteValue("pensionerId") is string pensionerId
                ? RateLimitPartition.GetFixedWindowLimiter("p:" + pensionerId, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.PensionerPermitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("none")));
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = (context, _) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
            context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return new ValueTask(new ProblemResult(ProblemTypes.RateLimited).ExecuteAsync(context.HttpContext));
        };
    }

    /// <summary>A hash of the presented client key (never the key itself), else the remote address.</summary>
    private static string ClientPartition(HttpContext context)
    {
        var key = context.Request.Headers[ApiKeyOptions.ClientKeyHeader].FirstOrDefault() ?? context.Request.Query["code"].FirstOrDefault();
        return string.IsNullOrEmpty(key)
            ? "ip:" + context.Connection.RemoteIpAddress
            : "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 16);
    }
}
