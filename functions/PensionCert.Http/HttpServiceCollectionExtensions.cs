using Microsoft.Extensions.DependencyInjection;

namespace PensionCert.Http;

/// <summary>Start-up wiring of the HTTP API, shared by both hosts.</summary>
public static class HttpServiceCollectionExtensions
{
    /// <summary>Registers <see cref="PensionCertApi"/> and <see cref="ApiKeyOptions"/> (section <c>PensionCert:Auth</c>).</summary>
    public static IServiceCollection AddPensionCertHttpApi(this IServiceCollection services)
    {
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => !o.EnforceClientKeys || o.ClientKeys.Count > 0, "PensionCert:Auth:ClientKeys must list at least one key when EnforceClientKeys is on.")
            .ValidateOnStart();
        services.AddSingleton<PensionCertApi>();
        return services;
    }
}
