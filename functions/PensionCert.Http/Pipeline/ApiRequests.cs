using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PensionCert.Core.Definitions;
using PensionCert.Core.Operators;
using PensionCert.Core.Errors;

namespace PensionCert.Http;

/// <summary>Small request and response helpers shared by the handler groups.</summary>
internal static class ApiRequests
{
    /// <summary>A China Standard Time calendar date as yyyy-MM-dd.</summary>
    public static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Reads a strict JSON body (415 unless application/json, 400 <c>malformed-request</c> when it does not parse).</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim();
        if (!mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ProblemException(ProblemTypes.UnsupportedContentType);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.StrictRequestOptions, cancellationToken)
                ?? throw new ProblemException(ProblemTypes.MalformedRequest);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new ProblemException(ProblemTypes.MalformedRequest);
        }
    }

    /// <summary>True when the client asks for CSV (Accept: text/csv or ?format=csv).</summary>
    public static bool WantsCsv(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase)
        || string.Equals(request.Query["format"].ToString(), "csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Region routes: the region code must be well formed (400) and served by the operator (403 region-not-served).</summary>
    public static void RequireServesRegion(ApiCaller caller, string regionCode)
    {
        if (!Core.Identity.AdministrativeRegionCode.TryParse(regionCode, out _)) throw new ProblemException(ProblemTypes.InvalidRegionCode);
        if (!caller.Operator!.Serves(regionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
    }

    /// <summary>
    /// Pensioner routes: the pensioner must exist and be in one of the operator's regions, else 404 pensioner-not-found
    /// either way (see <see cref="ProblemException.OutsideRegions"/>); sets the audit row's pensioner.
    /// </summary>
    public static async Task RequireServesPensionerAsync(PensionerAdministrationService administration, ApiCaller caller, string pensionerId, CancellationToken cancellationToken)
    {
        caller.PensionerId = Core.Storage.Ids.IsPensionerId(pensionerId) ? pensionerId : null;
        await administration.GetAsync(pensionerId, caller.Operator!, revealIdNumber: false, cancellationToken);
    }

    /// <summary>The URL path of a certification, for Location headers.</summary>
    public static string CertificationLocation(string certificationId) =>
        $"/{Routes.Prefix}/{Routes.Certification.Replace("{certificationId}", certificationId, StringComparison.Ordinal)}";

    /// <summary>The URL path of a route with one parameter replaced, for Location headers.</summary>
    public static string Location(string route, string parameter, string value) =>
        $"/{Routes.Prefix}/{route.Replace("{" + parameter + "}", value, StringComparison.Ordinal)}";

    public static IResult WithLocation(this IResult result, string location) => new LocatedResult(result, location);

    private sealed class LocatedResult(IResult inner, string location) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
