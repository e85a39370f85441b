using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Storage;
using PensionCert.Infrastructure;
using Polly;
using Polly.Retry;

namespace PensionCert.LocalHost;

/// <summary>
/// Starts the local host's triggers only once storage answers. At start-up the containers, queues and tables are
/// created (or, with <c>PensionCert:Storage:CreateResources=false</c>, the verification queue is read); while storage
/// is unreachable this is retried with exponential back-off and jitter (Polly) up to
/// <see cref="LocalHostOptions.StorageRetryMaxDelaySeconds"/> apart, the HTTP API already serves (health answers 503
/// with <c>startup:storage</c>, storage-backed routes 503 <c>storage-unavailable</c>), and the WebJobs job host (queue
/// trigger, timers) is started when storage is there. Replaces the SDK's <see cref="JobHostService"/> and the
/// <see cref="StorageProvisioner"/> hosted service, which would otherwise fail the start when storage is down.
/// A storage answer that waiting cannot change (a 4xx such as a refused key) stops the host with exit code 1.
/// </summary>
public sealed partial class StorageStartup(
    IJobHost jobHost,
    StorageClients clients,
    IOptions<StorageOptions> storage,
    LocalHostOptions options,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<StorageStartup> logger) : IHostedService, IHealthProbe, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _waiting = Task.CompletedTask;
    private volatile bool _ready;
    private bool _jobHostStarted;

    /// <summary>Replaces the hosted services that need storage at start with this one (call after ConfigureWebJobs).</summary>
    public static void Register(IServiceCollection services)
    {
        var replaced = services.Where(d => d.ServiceType == typeof(IHostedService)
            && (d.ImplementationType == typeof(JobHostService) || d.ImplementationType == typeof(StorageProvisioner))).ToList();
        foreach (var descriptor in replaced) services.Remove(descriptor);
        if (replaced.Count != 2)
            throw new InvalidOperationException($"Expected the WebJobs JobHostService and the StorageProvisioner hosted services; found {replaced.Count}.");
        services.AddSingleton<StorageStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageStartup>());
        services.AddSingleton<IHealthProbe>(sp => sp.GetRequiredService<StorageStartup>());
    }

    /// <summary>True once storage has answered and the triggers have started.</summary>
    public bool IsReady => _ready;

    /// <summary>
    /// Tries once; when storage is there the triggers are running when this returns (as before). Otherwise the wait
    /// goes on in the background so the web server can start and answer.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PrepareStorageAsync(cancellationToken);
        }
        catch (Exception ex) when (StorageProvisioner.IsUnavailable(ex))
        {
            LogWaiting(logger, ex.GetType().Name);
            _waiting = Task.Run(() => WaitThenStartAsync(_stopping.Token), CancellationToken.None);
            return;
        }
        await StartTriggersAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _waiting;
        if (!_jobHostStarted) return;
        try
        {
            await jobHost.StopAsync();
        }
        catch (Exception ex) when (StorageProvisioner.IsUnavailable(ex))
        {
            // Stopping while storage is down (the timers' singleton lease cannot be released): nothing is lost, the
            // lease expires and unfinished queue messages are delivered again.
            LogStoppedWithoutStorage(logger, ex.GetType().Name);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(_ready ? [] : ["startup:storage"]);

    private async Task WaitThenStartAsync(CancellationToken stopping)
    {
        var retry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(StorageProvisioner.IsUnavailable),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(options.StorageRetryMaxDelaySeconds),
                OnRetry = args =>
                {
                    LogStillWaiting(logger, args.AttemptNumber + 1, args.Outcome.Exception?.GetType().Name ?? "none", args.RetryDelay.TotalSeconds);
                    return default;
                },
            })
            .Build();
        try
        {
            await retry.ExecuteAsync(async ct => await PrepareStorageAsync(ct), stopping);
            await StartTriggersAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while waiting: nothing was started.
        }
        catch (Exception ex)
        {
            LogGaveUp(logger, ex.GetType().Name);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task PrepareStorageAsync(CancellationToken cancellationToken)
    {
        if (storage.Value.CreateResources)
            await StorageProvisioner.EnsureCreatedAsync(clients, cancellationToken);
        else
            await clients.VerificationQueue.GetPropertiesAsync(cancellationToken);
    }

    private async Task StartTriggersAsync(CancellationToken cancellationToken)
    {
        await jobHost.StartAsync(cancellationToken);
        _jobHostStarted = true;
        _ready = true;
        LogReady(logger);
    }

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Storage is not reachable ({ErrorType}); the API answers 503 and the triggers wait until it is.")]
    private static partial void LogWaiting(ILogger logger, string errorType);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Storage still not reachable after attempt {Attempt} ({ErrorType}); next try in {DelaySeconds:0.0} s.")]
    private static partial void LogStillWaiting(ILogger logger, int attempt, string errorType, double delaySeconds);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Storage answers; queue and timer triggers started.")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "The triggers stopped without reaching storage ({ErrorType}); their leases expire by themselves.")]
    private static partial void LogStoppedWithoutStorage(ILogger logger, string errorType);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Critical, Message = "Storage refused the start-up ({ErrorType}); waiting will not help (check AzureWebJobsStorage). Stopping.")]
    private static partial void LogGaveUp(ILogger logger, string errorType);
}
