using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core;
using PensionCert.Core.Storage;
using PensionCert.FaceMatching;
using PensionCert.Http;
using PensionCert.Infrastructure;

namespace PensionCert.Hosting;

/// <summary>Registers the whole application; both hosts call this and nothing else of the application.</summary>
public static class PensionCertServiceCollectionExtensions
{
    /// <summary>Application services, storage adapters, the face pipeline and the HTTP API, with validated options.</summary>
    public static IServiceCollection AddPensionCert(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPensionCertCore();
        services.AddPensionCertStorage();
        services.AddFaceMatching(configuration);
        services.AddSingleton<IHealthProbe, FaceModelHealthProbe>();
        services.AddPensionCertHttpApi();
        return services;
    }

    /// <summary>Reports models that failed to load or warm up.</summary>
    private sealed class FaceModelHealthProbe(IFaceModelStatus status) : IHealthProbe
    {
        public Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(status.IsReady ? [] : status.Missing.Count > 0 ? status.Missing.Select(m => "model:" + m).ToArray() : ["models:not-warmed"]);
    }
}
