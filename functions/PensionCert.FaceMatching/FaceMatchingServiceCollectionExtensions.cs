using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PensionCert.Core.Faces;

namespace PensionCert.FaceMatching;

/// <summary>Start-up wiring of the face pipeline, shared by every host.</summary>
public static class FaceMatchingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="FaceModelOptions"/> (section <c>PensionCert:Models</c>) and <see cref="FaceQualityOptions"/>
    /// (section <c>PensionCert:Quality</c>), both validated from data annotations at start-up; the singleton
    /// <see cref="FaceModels"/> (also as <see cref="IFaceModelStatus"/>), a hosted service that warms the models once at
    /// start-up, and <see cref="IFaceAnalyzer"/> → <see cref="FaceAnalyzer"/> (singleton).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The application configuration (the sections are read from its root).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddFaceMatching(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<FaceModelOptions>()
            .Bind(configuration.GetSection(FaceModelOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<FaceQualityOptions>()
            .Bind(configuration.GetSection(FaceQualityOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton<FaceModels>();
        services.TryAddSingleton<IFaceModelStatus>(sp => sp.GetRequiredService<FaceModels>());
        services.TryAddSingleton<FaceAnalyzer>();
        services.TryAddSingleton<IFaceAnalyzer>(sp => sp.GetRequiredService<FaceAnalyzer>());
        services.TryAddSingleton<ActionModels>();
        services.TryAddSingleton<ActionFrameAnalyzer>();
        services.TryAddSingleton<IActionFrameAnalyzer>(sp => sp.GetRequiredService<ActionFrameAnalyzer>());
        services.AddHostedService<FaceModelsWarmUp>();
        return services;
    }
}

/// <summary>Loads and warms the face models when the host starts, so the first request does not pay for it.</summary>
internal sealed class FaceModelsWarmUp(FaceModels models) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A missing model must not stop the host: the health check reports it through IFaceModelStatus.
        if (models.IsLoaded) models.WarmUp();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
