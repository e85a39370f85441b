using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PensionCert.Http.Console;

namespace PensionCert.Http;

/// <summary>Start-up wiring of the HTTP API, shared by both hosts.</summary>
public static class HttpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the request pipeline (<see cref="ApiPipeline"/>), the handler groups of <see cref="HttpHandlers"/>, <see cref="ApiKeyOptions"/> (section <c>PensionCert:Auth</c>) and the
    /// operator token validation (<see cref="OperatorAuthOptions"/>, section <c>PensionCert:OperatorAuth</c>) and the
    /// request rate limits (<see cref="RateLimitOptions"/>, section <c>PensionCert:RateLimits</c>; off unless enabled), and
    /// the operator console's site (<see cref="ConsoleSite"/>, section <c>PensionCert:Console</c>).
    /// </summary>
    public static IServiceCollection AddPensionCertHttpApi(this IServiceCollection services)
    {
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        services.AddOptions<OperatorAuthOptions>().BindConfiguration(OperatorAuthOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => !ApiKeyOptions.IsUnresolvedKeyVaultReference(o.SigningKey),
                "The setting 'PensionCert:OperatorAuth:SigningKey' is an unresolved Key Vault reference: check that the secret exists and that the app's identity has 'Key Vault Secrets User' on the vault.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperatorAuthOptions>, OperatorAuthOptionsValidator>();
        services.AddSingleton<OperatorTokenValidator>();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiRateLimiter>();
        services.AddSingleton<ApiPipeline>();
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HealthReportCache>();
        foreach (var group in HttpHandlers.Groups) services.AddSingleton(group);
        // The operator console's files and config.json; only the local host turns the development sign-in on.
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(new ConsoleSignInMode(DevelopmentSignIn: false));
        services.AddSingleton(new PhonePageSite());
        services.AddSingleton(sp => new ConsoleSite(sp.GetRequiredService<IOptions<ConsoleOptions>>(), sp.GetRequiredService<IOptions<OperatorAuthOptions>>(), sp.GetRequiredService<ConsoleSignInMode>()));
        return services;
    }
}
