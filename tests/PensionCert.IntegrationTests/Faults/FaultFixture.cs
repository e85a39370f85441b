using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;
using PensionCert.FaceMatching;
using PensionCert.Infrastructure;
using PensionCert.IntegrationTests.Cycle;

namespace PensionCert.IntegrationTests.Faults;

/// <summary>
/// The application services (Core, the Table/Blob/Queue adapters, the real face models) against Azurite with every
/// storage port wrapped by <see cref="StorageFaults"/>, on a fake clock. No host runs, so nothing else touches the
/// records a flow writes.
/// </summary>
public sealed class FaultFixture : IAsyncLifetime
{
    /// <summary>The instant every run starts at (a fake clock; China date 2026-06-02).</summary>
    public static readonly DateTimeOffset Start = new(2026, 6, 1, 18, 0, 0, TimeSpan.Zero);

    private readonly SwitchableClock _clock = new();

    public FakeTimeProvider Clock => _clock.Current;
    public ServiceProvider Services { get; private set; } = null!;
    public StorageFaults Faults => Services.GetRequiredService<StorageFaults>();
    public StorageClients Storage => Services.GetRequiredService<StorageClients>();

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "UseDevelopmentStorage=true",
            ["PensionCert:Storage:MaxRetries"] = "0",
            ["PensionCert:Identity:HashKey"] = "bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS0wMDAwMDAwMA==",
            ["PensionCert:DataProtection:ActiveKeyId"] = "test1",
            ["PensionCert:DataProtection:Keys:test1"] = Convert.ToBase64String(new byte[32]),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddPensionCertCore();
        services.AddPensionCertStorage();
        services.AddFaceMatching(configuration);
        services.AddSingleton<StorageFaults>();
        StorageFaults.Decorate<IPensionerRepository>(services);
        StorageFaults.Decorate<ICertificationRepository>(services);
        StorageFaults.Decorate<IIdempotencyStore>(services);
        StorageFaults.Decorate<IPhotoStore>(services);
        StorageFaults.Decorate<IVerificationQueue>(services);
        StorageFaults.Decorate<IInFlightCertificationIndex>(services);
        StorageFaults.Decorate<ISelfieRetentionIndex>(services);
        StorageFaults.Decorate<IReviewCaseStore>(services);
        StorageFaults.Decorate<ICycleStore>(services);
        StorageFaults.Decorate<IOutboxStore>(services);
        StorageFaults.Decorate<ICycleReadModel>(services);
        Services = services.BuildServiceProvider();
        await StorageProvisioner.EnsureCreatedAsync(Storage, CancellationToken.None);
        Faults.Disarm();
    }

    public async Task DisposeAsync() => await Services.DisposeAsync();

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A fresh fake clock at <see cref="Start"/> (plus <paramref name="offset"/>).</summary>
    public void ResetClock(TimeSpan offset = default) => _clock.Current = new FakeTimeProvider(Start + offset);

    /// <summary>
    /// Runs <paramref name="act"/> with a fault at call <paramref name="failAt"/>, retrying it the way its caller would
    /// (a client after 503 or 409, the queue after a failed delivery) with the faults off and the clock
    /// <paramref name="retryAfter"/> later.
    /// Returns the storage calls the first attempt made.
    /// </summary>
    public async Task<IReadOnlyList<string>> RunAsync(Func<int, Task> act, int? failAt, FaultMode mode, TimeSpan retryAfter)
    {
        Faults.Arm(failAt, mode);
        IReadOnlyList<string>? firstCalls = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await act(attempt);
                firstCalls ??= Faults.Calls;
                Faults.Disarm();
                return firstCalls;
            }
            catch (Exception ex) when (attempt < 4 && Retryable(ex))
            {
                firstCalls ??= Faults.Calls;
                Faults.Disarm();
                Retried.Add(ex.GetType().Name + ": " + ex.Message);
                if (retryAfter > TimeSpan.Zero) Clock.Advance(retryAfter);
            }
        }
    }

    /// <summary>The failures the last runs retried (for diagnostics).</summary>
    public List<string> Retried { get; } = [];

    /// <summary>What a caller retries: a storage failure (503), a conflict, a request still in progress.</summary>
    private static bool Retryable(Exception ex) => ex is StorageUnavailableException or ConcurrencyConflictException or CertificationNotYetVisibleException
        || ex is ProblemException { Problem.Code: "idempotent-request-in-progress" or "enrollment-conflict" or "storage-unavailable" };

    /// <summary>
    /// Everything stored about a pensioner (profile fields, rows of their partition, reference photos, due-index entries,
    /// outbox pointers, certifications, their selfies and in-flight entries), with ids, ETags and times of day replaced,
    /// so two runs for two pensioners compare equal when they ended in the same state.
    /// </summary>
    public async Task<List<string>> SnapshotAsync(string pensionerId)
    {
        var lines = new List<string>();
        string Norm(string text) => Regex.Replace(text.Replace(pensionerId, "P", StringComparison.Ordinal), "[0-9a-f]{32,}", "H");
        await foreach (var e in Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pensionerId}")))
        {
            if (e.RowKey == "profile")
            {
                foreach (var key in new[] { "RegionCode", "ReferenceVersion", "ReferenceBlobName", "EnrolledAt", "LastCertifiedAt", "ValidUntil", "Standing", "PreferredChannel", "InvestigationOpenedOn", "SuspendedOn", "EndedOn", "OpenHolds" })
                    lines.Add($"profile.{key}={Norm(Convert.ToString(e.TryGetValue(key, out var v) ? v : null, CultureInfo.InvariantCulture) ?? "")}");
            }
            else if (e.RowKey.StartsWith("outbox-", StringComparison.Ordinal))
            {
                lines.Add($"outbox {e.GetString("Type")} sent={e.GetDateTimeOffset("SentAt") is not null}");
            }
            else
            {
                lines.Add("row " + Norm(e.RowKey));
                // A certification id that names the pensioner: this row is its record.
                if (e.RowKey.StartsWith("certification-", StringComparison.Ordinal) && e.ContainsKey("Status"))
                    await AddCertificationAsync(e, e.RowKey["certification-".Length..]);
            }
        }
        await foreach (var blob in Storage.References.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = pensionerId + "/" })) lines.Add("reference-photo " + Norm(blob.Name));
        await foreach (var e in Storage.CycleDueIndex.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {pensionerId}"))) lines.Add("due " + e.PartitionKey);
        await foreach (var e in Storage.OutboxIndex.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}"))) lines.Add("outbox-pointer");
        await foreach (var e in Storage.Certifications.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PensionerId eq {pensionerId}")))
            await AddCertificationAsync(e, e.PartitionKey);
        lines.Sort(StringComparer.Ordinal);
        return lines;

        async Task AddCertificationAsync(TableEntity e, string certificationId)
        {
            lines.Add($"certification {e.GetString("Status")} intended={e.GetString("IntendedStatus")} reasons={e.GetString("ReasonCodes")} similarity={e.GetDouble("Similarity"):F3} retention={e.GetString("SelfieDeleteOn") is not null}");
            lines.Add($"selfie {(await Storage.Selfies.GetBlobClient(e.GetString("SelfieBlobName") ?? certificationId).ExistsAsync()).Value}");
            await foreach (var _ in Storage.InFlightCertifications.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {certificationId}"))) lines.Add("in-flight");
        }
    }

    /// <summary>Selfie blobs stored now (to find one a failed run left behind).</summary>
    public async Task<HashSet<string>> SelfiesAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in Storage.Selfies.GetBlobsAsync()) names.Add(blob.Name);
        return names;
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "application services with storage faults injected at each call";
}
