using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Faces;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// The real cycle services (Core + Table/Queue adapters) against Azurite (<c>PENSIONCERT_TEST_STORAGE</c>) with a
/// <see cref="FakeTimeProvider"/>. Region policies: 4403xx auto-suspends after 60 days; 3101xx has back-pay off.
/// Tests in <see cref="CycleCollection"/> run one after another and reset the due index, watermark and pointers.
/// </summary>
public sealed class CycleFixture : IAsyncLifetime
{
    private readonly SwitchableClock _clock = new();

    /// <summary>The current test's fake clock (a fresh one per <see cref="ResetScanStateAsync"/>, since a fake clock never goes back).</summary>
    public FakeTimeProvider Clock => _clock.Current;
    public ServiceProvider Services { get; private set; } = null!;
    public StorageClients Storage => Services.GetRequiredService<StorageClients>();
    public CycleService Cycle => Services.GetRequiredService<CycleService>();
    public CycleScanService Scan => Services.GetRequiredService<CycleScanService>();
    public CycleScanWorkers Workers => Services.GetRequiredService<CycleScanWorkers>();
    public OutboxDispatcher Dispatcher => Services.GetRequiredService<OutboxDispatcher>();
    public IPensionerRepository Pensioners => Services.GetRequiredService<IPensionerRepository>();

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = Environment.GetEnvironmentVariable("PENSIONCERT_TEST_STORAGE") ?? "UseDevelopmentStorage=true",
            ["PensionCert:Storage:MaxRetries"] = "1",
            ["PensionCert:Identity:HashKey"] = "bG9jYWwtZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS0wMDAwMDAwMA==",
            ["PensionCert:DataProtection:ActiveKeyId"] = "test1",
            ["PensionCert:DataProtection:Keys:test1"] = Convert.ToBase64String(new byte[32]),
            ["PensionCert:Cycle:Regions:4403:AutoSuspend"] = "true",
            ["PensionCert:Cycle:Regions:3101:BackPay"] = "false",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddPensionCertCore();
        services.AddPensionCertStorage();
        Services = services.BuildServiceProvider();
        await StorageProvisioner.EnsureCreatedAsync(Storage, CancellationToken.None);
    }

    public async Task DisposeAsync() => await Services.DisposeAsync();

    /// <summary>Sets the clock to 01:00 China time on <paramref name="chinaDate"/> (17:00 UTC the day before), when the scan fires.</summary>
    public void SetScanTime(DateOnly chinaDate) => Clock.SetUtcNow(ChinaTime.StartOfDay(chinaDate).AddHours(1).ToUniversalTime());

    /// <summary>
    /// Starts a new fake clock at <paramref name="start"/> (default 2024-01-01) and clears the due index (and
    /// watermark) and the outbox pointers, so a test starts from an empty scan state.
    /// </summary>
    public async Task ResetScanStateAsync(DateTimeOffset? start = null)
    {
        _clock.Current = new FakeTimeProvider(start ?? new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        foreach (var table in new[] { Storage.CycleDueIndex, Storage.OutboxIndex, Storage.CycleScanItems })
        {
            var batch = new List<TableEntity>();
            await foreach (var e in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
                batch.Add(e);
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (e, ct) =>
            {
                try { await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, Azure.ETag.All, ct); }
                catch (Azure.RequestFailedException ex) when (ex.Status == 404) { }
            });
        }
        await Storage.EventSinkQueue.ClearMessagesAsync();
        await Storage.CycleScanItemsQueue.ClearMessagesAsync();
        await Storage.CycleScanItemsPoisonQueue.ClearMessagesAsync();
    }

    /// <summary>
    /// One daily scan as the hosts run it: the timer (plans the dates, enqueues their work items), then the item queue
    /// worked to the end by <paramref name="workers"/> concurrent workers (what the queue trigger does), summed up.
    /// </summary>
    public async Task<CycleScanReport> RunScanAsync(CancellationToken cancellationToken = default, int workers = 4)
    {
        var store = Services.GetRequiredService<ICycleStore>();
        var before = await store.GetWatermarkAsync(cancellationToken);
        var run = await Scan.RunAsync(cancellationToken);
        var drain = await Workers.DrainAsync(workers, cancellationToken);
        var after = await store.GetWatermarkAsync(cancellationToken);
        var from = before?.LastCompletedOn ?? (run.DatesPlanned.Count > 0 ? run.DatesPlanned[0].AddDays(-1) : after?.LastCompletedOn ?? default);
        var dates = new List<DateOnly>();
        for (var d = from.AddDays(1); after is not null && d <= after.LastCompletedOn; d = d.AddDays(1)) dates.Add(d);
        return new CycleScanReport(dates, drain.Processed + drain.Failed, drain.Effects, drain.Failed + run.ExceptionsStillFailing, run.ExceptionsResolved);
    }

    /// <summary>Stores a pensioner as enrollment does (identity claim, profile, first due date in the index) and returns the id.</summary>
    public async Task<string> SeedAsync(string idNumber, string region, DateTimeOffset enrolledAt)
    {
        var id = CitizenIdNumber.Parse(idNumber, new DateOnly(2030, 1, 1));
        var profile = await TestPensioners.NewProfileAsync(Services, id, region, enrolledAt) with
        {
            ValidUntil = CycleCalendar.ValidUntil(CycleWindow.Rolling, ChinaTime.ToChinaDate(enrolledAt), id.BirthDate.Month),
            BirthMonth = id.BirthDate.Month,
        };
        await Pensioners.SaveEnrollmentAsync(profile, null, CancellationToken.None);
        await Cycle.ScheduleAsync(profile, CancellationToken.None);
        return profile.PensionerId;
    }

    /// <summary>Drains the local event sink (CloudEvents JSON), returning every event.</summary>
    public async Task<List<CycleEvent>> DrainEventsAsync()
    {
        var events = new List<CycleEvent>();
        while (true)
        {
            var batch = (await Storage.EventSinkQueue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0) return events;
            foreach (var m in batch)
            {
                var json = m.Body.ToString();
                using (var doc = JsonDocument.Parse(json))
                    Assert.Equal("1.0", doc.RootElement.GetProperty("specversion").GetString());
                events.Add(CloudEventJson.Deserialize(json));
                await Storage.EventSinkQueue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }
    }

    private readonly DateOnly _birthBase = new DateOnly(1935, 1, 1).AddDays(Random.Shared.Next(0, 7000));

    /// <summary>The evidence integration's machine identity serving <paramref name="regions"/> (for evidence imports through the service).</summary>
    public static Core.Operators.OperatorPrincipal Integration(params string[] regions) => new("test-integration", Core.Operators.OperatorRole.Integration, regions);

    /// <summary>A valid ID number in <paramref name="region"/>, unique per index within this run (birth date from a random base plus i/1000 days).</summary>

    public string IdNumber(string region, int i)
    {
        var birth = _birthBase.AddDays(i / 1000);
        var body = region + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + (i % 1000).ToString("D3", CultureInfo.InvariantCulture);
        return Core.Identity.CitizenIdNumber.WithCheckCharacter(body);
    }
}

/// <summary>A TimeProvider whose fake clock a test can replace (the services hold this one instance).</summary>
internal sealed class SwitchableClock : TimeProvider
{
    public FakeTimeProvider Current { get; set; } = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => Current.GetUtcNow();

    public override long GetTimestamp() => Current.GetTimestamp();

    public override long TimestampFrequency => Current.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Current.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => Current.CreateTimer(callback, state, dueTime, period);
}

[CollectionDefinition(Name)]
public sealed class CycleCollection : ICollectionFixture<CycleFixture>
{
    public const string Name = "cycle services on Azurite with a fake clock";
}
