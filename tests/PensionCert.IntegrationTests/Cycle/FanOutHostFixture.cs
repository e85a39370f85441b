using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// A local host with the cycle work-item triggers on (the suite's other hosts keep them off so that the cycle tests'
/// fake-clock items are theirs), on an Azurite of its own (in memory), so the items and the watermark it works are
/// only this fixture's. Work items of 3 pensioners; a failed delivery is retried after 1 s, twice at most.
/// Ports: <see cref="BlobPort"/>.
/// </summary>
public sealed class FanOutHostFixture : LocalHostFixture
{
    /// <summary>Pensioners per work item in these tests.</summary>
    public const int ItemSize = 3;

    private const string PortVariable = "PENSIONCERT_FANOUT_AZURITE_PORT";
    private readonly AzuriteProcess _azurite = new(BlobPort, PortVariable);

    /// <summary>
    /// Blob port (queue +1, table +2): <c>PENSIONCERT_FANOUT_AZURITE_PORT</c>, else the suite's Azurite blob port (from
    /// <c>PENSIONCERT_TEST_STORAGE</c>) + 9, else 10109.
    /// </summary>
    public static int BlobPort { get; } = AzuriteProcess.ChoosePort(PortVariable, 9, 10109);

    public ICycleStore CycleStore => App.Services.GetRequiredService<ICycleStore>();
    public ICycleScanLedger Ledger => App.Services.GetRequiredService<ICycleScanLedger>();
    public CycleScanService Scan => App.Services.GetRequiredService<CycleScanService>();

    /// <summary>Today's China date on the host's clock (the date its timer plans).</summary>
    public DateOnly Today => ChinaTime.Today(App.Services.GetRequiredService<TimeProvider>());

    protected override async Task<string> StorageConnectionAsync()
    {
        // Generous: on a loaded 2-core machine Node takes its time to start.
        await _azurite.StartAsync(TimeSpan.FromSeconds(120));
        return _azurite.ConnectionString;
    }

    protected override void Configure(WebApplicationBuilder builder)
    {
        builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.ProcessCycleScanItem}.Disabled"] = "false";
        builder.Configuration[$"AzureWebJobs.{Core.Definitions.FunctionNames.RecordPoisonedCycleScanItem}.Disabled"] = "false";
        builder.Configuration["PensionCert:CycleScan:ItemSize"] = ItemSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2";
        builder.Configuration["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:01";
    }

    /// <summary>
    /// Clears the scan state (due index, watermark, ledger, cycle exceptions, events) and stores <paramref name="count"/> pensioners whose
    /// 30-day reminder is due today on the host's clock; returns their ids.
    /// </summary>
    public async Task<List<string>> SeedDueTodayAsync(int count, string region)
    {
        foreach (var table in new[] { Storage.CycleDueIndex, Storage.OutboxIndex, Storage.CycleScanItems, Storage.CycleExceptions })
            await foreach (var e in table.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"]))
                await table.DeleteEntityAsync(e.PartitionKey, e.RowKey, Azure.ETag.All);
        await Storage.EventSinkQueue.ClearMessagesAsync();
        var today = Today;
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = CitizenIdNumber.Parse(TestIdNumbers.New(region), new DateOnly(2030, 1, 1));
            var profile = await TestPensioners.NewProfileAsync(App.Services, id, region, ChinaTime.StartOfDay(today.AddDays(30).AddYears(-1))) with
            {
                ValidUntil = today.AddDays(30),
                LastCertifiedAt = ChinaTime.StartOfDay(today.AddDays(30).AddYears(-1)),
                BirthMonth = id.BirthDate.Month,
            };
            await App.Services.GetRequiredService<IPensionerRepository>().SaveEnrollmentAsync(profile, null, CancellationToken.None);
            await CycleStore.ScheduleAsync(today, profile.PensionerId, CancellationToken.None);
            ids.Add(profile.PensionerId);
        }
        return ids;
    }

    /// <summary>Waits (60 s at most) until <paramref name="done"/> holds for today's plan and its items.</summary>
    public async Task<(CycleScanPlan Plan, IReadOnlyList<CycleScanItem> Items)> WaitForItemsAsync(Func<IReadOnlyList<CycleScanItem>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var plan = await Ledger.GetPlanAsync(Today, CancellationToken.None);
            var items = plan is null ? [] : await Ledger.ListItemsAsync(Today, plan.Owner, CancellationToken.None);
            if (plan is not null && done(items)) return (plan, items);
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"items: {string.Join(", ", items.Select(i => $"#{i.Index} {i.State}"))}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits (60 s at most) until the watermark reaches <paramref name="date"/>.</summary>
    public async Task WaitForWatermarkAsync(DateOnly date)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await CycleStore.GetWatermarkAsync(CancellationToken.None))?.LastCompletedOn < date)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the watermark did not reach {date}");
            await Task.Delay(200);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FanOutHostCollection : ICollectionFixture<FanOutHostFixture>
{
    public const string Name = "local host working cycle scan items on an Azurite of its own";
}
