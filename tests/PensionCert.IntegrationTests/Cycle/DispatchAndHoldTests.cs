using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// Issue #10 items 5 and 6 on Azurite: one dispatcher at a time per outbox partition, the local sink's duplicate
/// detection, and a bounded number of open holds.
/// </summary>
[Collection(CycleCollection.Name)]
public sealed class DispatchAndHoldTests(CycleFixture f)
{
    /// <summary>Counts what reaches the real sink.</summary>
    private sealed class CountingPublisher(IEventPublisher inner) : IEventPublisher
    {
        private int _calls;
        public int Calls => _calls;

        public Task PublishAsync(CycleEvent cycleEvent, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return inner.PublishAsync(cycleEvent, cancellationToken);
        }
    }

    /// <summary>The real outbox, except that marking sent "crashes" once (after the publish, before the mark).</summary>
    private sealed class CrashOnFirstMarkSent(IOutboxStore inner) : IOutboxStore
    {
        private int _marks;
        public int PartitionCount => inner.PartitionCount;
        public Task<OutboxLease?> TryClaimAsync(int partition, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken ct) => inner.TryClaimAsync(partition, owner, now, duration, ct);
        public Task ReleaseAsync(OutboxLease lease, CancellationToken ct) => inner.ReleaseAsync(lease, ct);
        public IAsyncEnumerable<OutboxPointer> ListPendingAsync(IReadOnlyCollection<int> partitions, CancellationToken ct) => inner.ListPendingAsync(partitions, ct);
        public Task<OutboxEntry?> GetAsync(OutboxPointer pointer, CancellationToken ct) => inner.GetAsync(pointer, ct);
        public Task<bool> MarkSentAsync(OutboxEntry entry, DateTimeOffset sentAt, CancellationToken ct) =>
            Interlocked.Increment(ref _marks) == 1 ? throw new InvalidOperationException("injected crash") : inner.MarkSentAsync(entry, sentAt, ct);
        public Task<int> RemovePointersForPensionerAsync(string pensionerId, CancellationToken ct) => inner.RemovePointersForPensionerAsync(pensionerId, ct);
        public Task RemovePointerAsync(OutboxPointer pointer, CancellationToken ct) => inner.RemovePointerAsync(pointer, ct);
    }

    private OutboxDispatcher Dispatcher(IEventPublisher publisher, IOutboxStore? outbox = null) => new(
        outbox ?? f.Services.GetRequiredService<IOutboxStore>(), f.Services.GetRequiredService<ICycleReadModel>(), publisher, f.Clock, NullLogger<OutboxDispatcher>.Instance);

    private async Task<List<string>> CertifiedPensionersAsync(int count, int seed)
    {
        f.SetScanTime(new DateOnly(2026, 6, 1));
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = await f.SeedAsync(f.IdNumber("120103", seed + i), "120103", f.Clock.GetUtcNow().AddDays(-400));
            Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordCertifiedAsync(id, f.Clock.GetUtcNow(), new CertificationOrigin("app", "c" + Guid.NewGuid().ToString("N")), CancellationToken.None));
            ids.Add(id);
        }
        return ids;
    }

    [Fact]
    public async Task TwoDispatchersAtOnce_LikeTheTimerAndRunCycle_EachEventPublishedOnce()
    {
        await f.ResetScanStateAsync();
        var ids = await CertifiedPensionersAsync(12, 400);
        var sink = f.Services.GetRequiredService<IEventPublisher>();
        var a = new CountingPublisher(sink);
        var b = new CountingPublisher(sink);

        var reports = await Task.WhenAll(Dispatcher(a).DispatchAsync(CancellationToken.None), Dispatcher(b).DispatchAsync(CancellationToken.None));
        await f.Dispatcher.DispatchAsync(CancellationToken.None); // whatever a busy partition left

        var events = (await f.DrainEventsAsync()).Where(e => ids.Contains(e.Data.PensionerId)).ToList();
        Assert.Equal(12, events.Count);
        Assert.Equal(12, events.Select(e => e.Id).Distinct().Count());
        // The claims, not the sink's duplicate detection, kept the two apart: no event went to the sink twice.
        Assert.Equal(reports.Sum(r => r.Published), a.Calls + b.Calls);
    }

    [Fact]
    public async Task PartitionClaimedByAnotherDispatcher_IsSkippedUntilReleased()
    {
        await f.ResetScanStateAsync();
        var ids = await CertifiedPensionersAsync(3, 500);
        var outbox = f.Services.GetRequiredService<IOutboxStore>();
        var held = new List<OutboxLease>();
        for (var p = 0; p < outbox.PartitionCount; p++)
            held.Add((await outbox.TryClaimAsync(p, "other-dispatcher", f.Clock.GetUtcNow(), OutboxDispatcher.LeaseDuration, CancellationToken.None))!);

        var blocked = await f.Dispatcher.DispatchAsync(CancellationToken.None);
        Assert.Equal(new DispatchReport(0, 0, 0, outbox.PartitionCount), blocked);
        Assert.DoesNotContain(await f.DrainEventsAsync(), e => ids.Contains(e.Data.PensionerId));

        foreach (var lease in held) await outbox.ReleaseAsync(lease, CancellationToken.None);
        var released = await f.Dispatcher.DispatchAsync(CancellationToken.None);
        Assert.Equal(3, released.Published);
        Assert.Equal(3, (await f.DrainEventsAsync()).Count(e => ids.Contains(e.Data.PensionerId)));
    }

    [Fact]
    public async Task CrashBetweenPublishAndMarkSent_Republished_LocalSinkDropsTheDuplicate()
    {
        await f.ResetScanStateAsync();
        var ids = await CertifiedPensionersAsync(1, 600);
        var crashing = Dispatcher(f.Services.GetRequiredService<IEventPublisher>(), new CrashOnFirstMarkSent(f.Services.GetRequiredService<IOutboxStore>()));

        await Assert.ThrowsAsync<InvalidOperationException>(() => crashing.DispatchAsync(CancellationToken.None));
        var report = await f.Dispatcher.DispatchAsync(CancellationToken.None);

        Assert.Equal(1, report.Published); // published again, with the same CloudEvents id
        var events = (await f.DrainEventsAsync()).Where(e => ids.Contains(e.Data.PensionerId)).ToList();
        Assert.Single(events);
    }

    [Fact]
    public async Task Holds_BeyondTheBound_RefusedWithoutWriting_LaterWritesOfThePensionerStillSucceed()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        f.SetScanTime(new DateOnly(2026, 6, 1));
        var id = await f.SeedAsync(f.IdNumber("120104", 700), "120104", f.Clock.GetUtcNow());
        var results = new List<CycleCommandResult>();
        // 130 reviews opened for one pensioner (the issue found 800 broke the 64 KB property limit).
        for (var i = 0; i < CycleService.MaxOpenHolds + 30; i++)
            results.Add(await f.Cycle.SetHoldAsync(id, CycleService.ReviewHold($"c{i:D32}"), open: true, ct));

        Assert.Equal(CycleService.MaxOpenHolds, results.Count(r => r == CycleCommandResult.Applied));
        Assert.Equal(30, results.Count(r => r == CycleCommandResult.HoldLimitReached));
        Assert.Equal(CycleService.MaxOpenHolds, (await f.Pensioners.GetAsync(id, ct))!.OpenHolds.Count);
        // The pensioner can still be written: a hold closes, another opens, a certification clears them all.
        Assert.Equal(CycleCommandResult.Applied, await f.Cycle.SetHoldAsync(id, CycleService.ReviewHold($"c{0:D32}"), open: false, ct));
        Assert.Equal(CycleCommandResult.Applied, await f.Cycle.SetHoldAsync(id, CycleService.ReviewHold("c-late"), open: true, ct));
        Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordCertifiedAsync(id, f.Clock.GetUtcNow(), new CertificationOrigin("app", "c-final"), ct));
        Assert.Empty((await f.Pensioners.GetAsync(id, ct))!.OpenHolds);
    }
}
