using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>The outbox and the dispatcher against Azurite, with crashes injected.</summary>
[Collection(CycleCollection.Name)]
public sealed class OutboxTests(CycleFixture f)
{
    /// <summary>Publishes through the real sink but "crashes" (throws) on the N-th call, before publishing it.</summary>
    private sealed class CrashingPublisher(IEventPublisher inner, int crashOnCall) : IEventPublisher
    {
        private int _calls;

        public Task PublishAsync(CycleEvent cycleEvent, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == crashOnCall
                ? throw new InvalidOperationException("injected crash")
                : inner.PublishAsync(cycleEvent, cancellationToken);
    }

    private OutboxDispatcher CrashingDispatcher(int crashOnCall) => new(
        f.Services.GetRequiredService<IOutboxStore>(), f.Services.GetRequiredService<ICycleReadModel>(),
        new CrashingPublisher(f.Services.GetRequiredService<IEventPublisher>(), crashOnCall), f.Clock, NullLogger<OutboxDispatcher>.Instance);

    [Fact]
    public async Task Dispatcher_CrashBetweenStateChangeAndPublish_NothingLostNothingDoubled()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        var day = new DateOnly(2027, 5, 1);
        f.SetScanTime(day.AddDays(-400));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = await f.SeedAsync(f.IdNumber("120101", 100 + i), "120101", f.Clock.GetUtcNow());
            await f.Cycle.RecordCertifiedAsync(id, f.Clock.GetUtcNow(), new CertificationOrigin("app"), ct);
            ids.Add(id);
        }
        await f.Dispatcher.DispatchAsync(ct);
        await f.DrainEventsAsync();

        // The state changes (overdue + investigation for 4 pensioners = 8 events) are committed; then the process dies
        // before anything is published: the dispatcher crashes on its first publish.
        var validUntil = (await f.Pensioners.GetAsync(ids[0], ct))!.ValidUntil!.Value;
        // The app was down for the whole month before: the scan catches up 32 dates from the stored watermark.
        Assert.True(await f.Services.GetRequiredService<ICycleStore>().TryAdvanceWatermarkAsync(validUntil.AddDays(-31), null, ct));
        f.SetScanTime(validUntil.AddDays(1));
        var scan = await f.RunScanAsync(ct);
        Assert.Equal(32, scan.DatesProcessed.Count);
        Assert.Equal(16, scan.EffectsApplied); // per pensioner: three reminders and the overdue notice with its investigation
        var pending = await CountAsync(f.Storage.OutboxIndex);
        Assert.True(pending >= 8, $"{pending} pointers pending");
        await Assert.ThrowsAsync<InvalidOperationException>(() => CrashingDispatcher(crashOnCall: 1).DispatchAsync(ct));
        Assert.DoesNotContain(await f.DrainEventsAsync(), e => ids.Contains(e.Data.PensionerId));

        // A second run crashes half-way (on its 5th publish): the first four are out and marked sent.
        await Assert.ThrowsAsync<InvalidOperationException>(() => CrashingDispatcher(crashOnCall: 5).DispatchAsync(ct));
        var partial = (await f.DrainEventsAsync()).Where(e => ids.Contains(e.Data.PensionerId)).ToList();
        Assert.Equal(4, partial.Count);

        // The next healthy run publishes the rest exactly once; a further run publishes nothing.
        var report = await f.Dispatcher.DispatchAsync(ct);
        var rest = (await f.DrainEventsAsync()).Where(e => ids.Contains(e.Data.PensionerId)).ToList();
        Assert.Equal(0, (await f.Dispatcher.DispatchAsync(ct)).Published);
        Assert.Empty(await f.DrainEventsAsync());

        var all = partial.Concat(rest).ToList();
        Assert.Equal(all.Count, all.Select(e => e.Id).Distinct().Count());
        foreach (var id in ids)
        {
            var types = all.Where(e => e.Data.PensionerId == id).Select(e => e.Type).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal([EventTypes.CertificationDueSoon, EventTypes.CertificationDueSoon, EventTypes.CertificationDueSoon, EventTypes.CertificationOverdue, EventTypes.InvestigationOpened], types);
        }
        Assert.True(report.Published >= all.Count - 4);
        Assert.Equal(0, await CountAsync(f.Storage.OutboxIndex));

        // Every outbox row in the pensioners' partitions is marked sent.
        foreach (var id in ids)
            await foreach (var row in f.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
                Assert.NotNull(row.GetDateTimeOffset("SentAt"));
    }

    [Fact]
    public async Task Dispatcher_PointerWithoutTransaction_IsDroppedAfterTenMinutesAndNothingIsPublished()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        f.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        // A crash after writing the pointer but before the state-change transaction.
        await f.Storage.OutboxIndex.AddEntityAsync(new TableEntity("pending-0", "e" + new string('0', 32))
        {
            ["PensionerId"] = "p" + new string('0', 32),
            ["CreatedAt"] = f.Clock.GetUtcNow(),
            ["Sequence"] = 0,
        }, ct);
        Assert.Equal(new DispatchReport(0, 0, 0), await f.Dispatcher.DispatchAsync(ct));
        Assert.Equal(1, await CountAsync(f.Storage.OutboxIndex));
        f.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(new DispatchReport(0, 0, 1), await f.Dispatcher.DispatchAsync(ct));
        Assert.Equal(0, await CountAsync(f.Storage.OutboxIndex));
        Assert.Empty(await f.DrainEventsAsync());
    }

    [Fact]
    public async Task Scan_RepeatedEffect_WritesNoSecondOutboxRow()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        f.SetScanTime(new DateOnly(2026, 1, 10));
        var id = await f.SeedAsync(f.IdNumber("120101", 200), "120101", f.Clock.GetUtcNow());
        var validUntil = (await f.Pensioners.GetAsync(id, ct))!.ValidUntil!.Value;
        var reminderDay = validUntil.AddDays(-30);
        f.SetScanTime(reminderDay);
        Assert.Equal(1, await f.Cycle.ProcessDueAsync(id, reminderDay, ct));
        Assert.Equal(0, await f.Cycle.ProcessDueAsync(id, reminderDay, ct));
        var rows = 0;
        await foreach (var _ in f.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
            rows++;
        Assert.Equal(1, rows);
    }

    private static async Task<int> CountAsync(TableClient table)
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["PartitionKey"])) n++;
        return n;
    }
}
