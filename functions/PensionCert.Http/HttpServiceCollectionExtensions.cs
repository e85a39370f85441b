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
            .Validate(o => !ApiKeyOptions.IsUnresolvedKeyVaultReference(o.OperatorKey),
                "The setting 'PensionCert:Auth:OperatorKey' is an unresolved Key Vault reference: check that the secret exists and that the app's identity has 'Key Vault Secrets User' on the vault.")
            .ValidateOnStart();
        services.AddSingleton<PensionCertApi>();
        return services;
    }
}
