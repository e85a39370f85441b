using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PensionCert.Core;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;
using PensionCert.Infrastructure;

namespace PensionCert.Tools;

/// <summary>
/// bench-scan: seeds a storage account (Azurite) with a population of N pensioners of which K fall due on one date,
/// times the daily scan of that date (the timer's plan plus its work items worked by one worker), then grows the
/// population to 10×N (with K due on another date) and times it again. The scan reads only the due-index partition
/// of the date, so its time should follow K, not N. Then the fan-out: for 1, 2 and 4 concurrent workers, a fresh date
/// with F due is planned into items of the item size and the queue worked to the end, printing items and pensioners
/// per second (<see cref="FanOutAsync"/>).
/// </summary>
public static class ScanBenchmark
{
    private static readonly DateOnly FirstDate = new(2031, 6, 1);
    private static readonly DateOnly SecondDate = new(2031, 6, 2);
    private static readonly DateOnly FanOutDate = new(2031, 6, 3);

    /// <summary>Runs the benchmark and prints one line per population.</summary>
    public static async Task<int> RunAsync(string connectionString, int population, int due, int scale, int fanOutDue, int itemSize, TextWriter output, CancellationToken cancellationToken)
    {
        var clock = new FixedClock();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["PensionCert:Identity:HashKey"] = Convert.ToBase64String(new byte[32]),
            ["PensionCert:DataProtection:ActiveKeyId"] = "bench",
            ["PensionCert:DataProtection:Keys:bench"] = Convert.ToBase64String(new byte[32]),
            ["PensionCert:CycleScan:ItemSize"] = itemSize.ToString(CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddPensionCertCore();
        services.AddPensionCertStorage();
        // Count the scan's storage calls through its two ports: the cost model, independent of the emulator's speed.
        var calls = new CallCounter();
        services.AddSingleton<ICycleStore>(sp => new CountingCycleStore(sp.GetRequiredService<TableCycleStore>(), calls));
        services.AddSingleton<IPensionerRepository>(sp => new CountingPensionerRepository(sp.GetRequiredService<TablePensionerRepository>(), calls));
        await using var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredService<StorageClients>();
        await StorageProvisioner.EnsureCreatedAsync(storage, cancellationToken);

        output.WriteLine($"bench-scan: K={due} due on the scanned date; population N={population} then {scale}×N={population * scale}; storage {storage.Pensioners.Uri.Authority}");
        output.WriteLine("population  due  seed_s  index_read_ms  scan_ms  ms_per_due  storage_calls  effects  repeat_scan_ms  profile_read_ms");
        var seeded = 0;
        foreach (var (target, date) in new[] { (population, FirstDate), (population * scale, SecondDate) })
        {
            var watch = Stopwatch.StartNew();
            await SeedAsync(provider, target - seeded, due, date, seeded, cancellationToken);
            var seedSeconds = watch.Elapsed.TotalSeconds;
            seeded = target;

            // The run before was the day before: the scan handles exactly this date.
            var store = provider.GetRequiredService<ICycleStore>();
            var watermark = await store.GetWatermarkAsync(cancellationToken);
            await ForceWatermarkAsync(storage, date.AddDays(-1), cancellationToken);
            clock.Now = ChinaTime.StartOfDay(date).AddHours(1);
            var scan = provider.GetRequiredService<CycleScanService>();
            var workers = provider.GetRequiredService<CycleScanWorkers>();
            watch.Restart();
            var listed = 0;
            await foreach (var _ in store.ListDueAsync(date, cancellationToken)) listed++;
            var indexReadMs = watch.Elapsed.TotalMilliseconds;
            calls.Reset();
            watch.Restart();
            await scan.RunAsync(cancellationToken);
            var report = await workers.DrainAsync(1, cancellationToken);
            var scanMs = watch.Elapsed.TotalMilliseconds;
            var scanCalls = calls.Count;
            watch.Restart();
            await scan.RunAsync(cancellationToken); // a double-fired run: nothing to do
            await workers.DrainAsync(1, cancellationToken);
            var repeatMs = watch.Elapsed.TotalMilliseconds;
            // The emulator's own cost per request at this table size: 50 sequential profile point reads.
            var repository = provider.GetRequiredService<IPensionerRepository>();
            var sampleIds = new List<string>();
            await foreach (var id in store.ListDueAsync(date.AddDays(10), cancellationToken)) sampleIds.Add(id);
            watch.Restart();
            for (var i = 0; i < 50; i++) await repository.GetAsync(sampleIds[i % Math.Max(1, sampleIds.Count)], cancellationToken);
            var pointReadMs = watch.Elapsed.TotalMilliseconds / 50;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target,10}  {report.Processed,3}  {seedSeconds,6:F1}  {indexReadMs,13:F0}  {scanMs,7:F0}  {scanMs / Math.Max(1, report.Processed),10:F1}  {scanCalls,13}  {report.Effects,7}  {repeatMs,14:F0}  {pointReadMs,15:F1}"));
            _ = watermark;
            _ = listed;
        }
        await FanOutAsync(provider, clock, fanOutDue, itemSize, seeded, output, cancellationToken);
        return 0;
    }

    /// <summary>
    /// The fan-out: for 1, 2 and 4 concurrent workers (each a queue trigger's worth of work in this process), seeds a
    /// fresh date with <paramref name="due"/> pensioners due, runs the timer (plan + enqueue, timed as plan_ms) and then
    /// works the item queue to the end with that many workers (work_ms), checking that the watermark passed the date.
    /// </summary>
    private static async Task FanOutAsync(IServiceProvider provider, FixedClock clock, int due, int itemSize, int offset, TextWriter output, CancellationToken cancellationToken)
    {
        var storage = provider.GetRequiredService<StorageClients>();
        var store = provider.GetRequiredService<ICycleStore>();
        var scan = provider.GetRequiredService<CycleScanService>();
        var workers = provider.GetRequiredService<CycleScanWorkers>();
        output.WriteLine($"fan-out: F={due} due on a fresh date, item size {itemSize}; workers are concurrent queue-trigger invocations in this one process");
        output.WriteLine("workers  due  items  plan_ms  work_ms  items_per_s  pensioners_per_s  effects  watermark_passed");
        // Every run's date is seeded before the first is timed, so each worker count works against the same table size
        // (the emulator's table requests slow down as the table grows; seeding between runs made each run slower).
        var counts = new[] { 1, 2, 4 };
        for (var i = 0; i < counts.Length; i++)
        {
            await SeedAsync(provider, due, due, FanOutDate.AddDays(i), offset, cancellationToken);
            offset += due;
        }
        var date = FanOutDate;
        foreach (var count in counts)
        {
            await ForceWatermarkAsync(storage, date.AddDays(-1), cancellationToken);
            clock.Now = ChinaTime.StartOfDay(date).AddHours(1);
            var watch = Stopwatch.StartNew();
            var plan = await scan.RunAsync(cancellationToken);
            var planMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            var drain = await workers.DrainAsync(count, cancellationToken);
            var workSeconds = watch.Elapsed.TotalSeconds;
            var passed = (await store.GetWatermarkAsync(cancellationToken))?.LastCompletedOn >= date;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count,7}  {drain.Processed,3}  {plan.ItemsEnqueued,5}  {planMs,7:F0}  {workSeconds * 1000,7:F0}  {drain.Worked / workSeconds,11:F1}  {drain.Processed / workSeconds,16:F0}  {drain.Effects,7}  {(passed ? "yes" : "no"),16}"));
            // The next run works the next seeded date (the seeded rest of the year lies 10+ days on).
            date = date.AddDays(1);
        }
    }

    /// <summary>
    /// Adds <paramref name="count"/> pensioners: <paramref name="due"/> whose 30-day reminder falls on
    /// <paramref name="dueOn"/>, the rest spread over the other days of the year (never on either benchmark date).
    /// </summary>
    private static async Task SeedAsync(IServiceProvider provider, int count, int due, DateOnly dueOn, int offset, CancellationToken cancellationToken)
    {
        var repository = provider.GetRequiredService<IPensionerRepository>();
        var storage = provider.GetRequiredService<StorageClients>();
        var embedding = FaceEmbedding.FromRaw(Enumerable.Range(1, 512).Select(i => (float)i).ToArray());
        var index = new List<(DateOnly On, string PensionerId)>(count);
        var profiles = Enumerable.Range(0, count).Select(i =>
        {
            DateOnly nextAction;
            if (i < due)
            {
                nextAction = dueOn;
            }
            else
            {
                nextAction = dueOn.AddDays(10 + (offset + i) % 360);
            }
            var validUntil = nextAction.AddDays(30);
            var id = Ids.NewPensionerId();
            index.Add((nextAction, id));
            return new PensionerProfile
            {
                PensionerId = id,
                IdNumberHash = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                MaskedIdNumber = "110101********0000",
                Name = "基准测试",
                RegionCode = "110101",
                ReferenceVersion = 1,
                ReferenceBlobName = id + "/1",
                ReferenceEmbedding = embedding,
                EnrolledAt = ChinaTime.StartOfDay(validUntil.AddYears(-1)),
                LastCertifiedAt = ChinaTime.StartOfDay(validUntil.AddYears(-1)),
                ValidUntil = validUntil,
            };
        }).ToArray();
        await Parallel.ForEachAsync(profiles, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (p, ct) =>
            {
                try
                {
                    await repository.SaveEnrollmentAsync(p, null, ct);
                }
                catch (ConcurrencyConflictException)
                {
                    // A slow emulator timed the first attempt out after it was written; the SDK's retry found the row.
                    if (await repository.GetAsync(p.PensionerId, ct) is null) throw;
                }
            });
        // The due index in batches of up to 100 rows per partition (one date per batch).
        var batches = index.GroupBy(x => x.On).SelectMany(g => g.Chunk(100).Select(chunk => chunk.Select(x =>
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(TableCycleStore.DuePartition(x.On), x.PensionerId))).ToArray()));
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (batch, ct) => await storage.CycleDueIndex.SubmitTransactionAsync(batch, ct));
    }

    private static async Task ForceWatermarkAsync(StorageClients storage, DateOnly completedOn, CancellationToken cancellationToken) =>
        await storage.CycleDueIndex.UpsertEntityAsync(new TableEntity("scan", "watermark")
        {
            ["LastCompletedOn"] = completedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, TableUpdateMode.Replace, cancellationToken);

    private sealed class CallCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add(int n = 1) => Interlocked.Add(ref _count, n);

        public void Reset() => Interlocked.Exchange(ref _count, 0);
    }

    /// <summary>Counts storage requests: one per call, plus one pointer upsert per event on a save.</summary>
    private sealed class CountingCycleStore(ICycleStore inner, CallCounter calls) : ICycleStore
    {
        public Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<Core.Events.CycleEvent> events, CancellationToken cancellationToken)
        {
            calls.Add(1 + events.Count);
            return inner.SaveAsync(profile, events, cancellationToken);
        }

        public Task ScheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken) { calls.Add(); return inner.ScheduleAsync(on, pensionerId, cancellationToken); }

        public Task UnscheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken) { calls.Add(); return inner.UnscheduleAsync(on, pensionerId, cancellationToken); }

        public IAsyncEnumerable<string> ListDueAsync(DateOnly on, CancellationToken cancellationToken) { calls.Add(); return inner.ListDueAsync(on, cancellationToken); }

        public IAsyncEnumerable<string> ListDueRangeAsync(DateOnly on, string after, string? through, CancellationToken cancellationToken) { calls.Add(); return inner.ListDueRangeAsync(on, after, through, cancellationToken); }

        public Task<DateOnly?> GetEarliestDueDateAsync(CancellationToken cancellationToken) { calls.Add(); return inner.GetEarliestDueDateAsync(cancellationToken); }

        public Task<ScanWatermark?> GetWatermarkAsync(CancellationToken cancellationToken) { calls.Add(); return inner.GetWatermarkAsync(cancellationToken); }

        public Task<bool> TryAdvanceWatermarkAsync(DateOnly completedOn, ScanWatermark? expected, CancellationToken cancellationToken) { calls.Add(); return inner.TryAdvanceWatermarkAsync(completedOn, expected, cancellationToken); }
    }

    private sealed class CountingPensionerRepository(IPensionerRepository inner, CallCounter calls) : IPensionerRepository
    {
        public Task<PensionerProfile?> GetAsync(string pensionerId, CancellationToken cancellationToken) { calls.Add(); return inner.GetAsync(pensionerId, cancellationToken); }

        public Task<string?> FindIdAsync(string idNumberHash, CancellationToken cancellationToken) { calls.Add(); return inner.FindIdAsync(idNumberHash, cancellationToken); }

        public Task<string> ClaimIdAsync(string idNumberHash, string candidateId, CancellationToken cancellationToken) { calls.Add(); return inner.ClaimIdAsync(idNumberHash, candidateId, cancellationToken); }

        public Task SaveEnrollmentAsync(PensionerProfile profile, ReferenceHistoryEntry? superseded, CancellationToken cancellationToken) { calls.Add(); return inner.SaveEnrollmentAsync(profile, superseded, cancellationToken); }

        public Task UpdateAsync(PensionerProfile profile, CancellationToken cancellationToken) { calls.Add(); return inner.UpdateAsync(profile, cancellationToken); }

        public Task<IReadOnlyList<ReferenceHistoryEntry>> GetReferenceHistoryAsync(string pensionerId, CancellationToken cancellationToken) { calls.Add(); return inner.GetReferenceHistoryAsync(pensionerId, cancellationToken); }

        public Task<ErasedIdentity?> GetErasedAsync(string idNumberHash, CancellationToken cancellationToken) { calls.Add(); return inner.GetErasedAsync(idNumberHash, cancellationToken); }

        public Task SaveErasedAsync(ErasedIdentity tombstone, CancellationToken cancellationToken) { calls.Add(); return inner.SaveErasedAsync(tombstone, cancellationToken); }

        public Task AddCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) { calls.Add(); return inner.AddCertificationAsync(pensionerId, certificationId, cancellationToken); }

        public Task<IReadOnlyList<string>> ListCertificationIdsAsync(string pensionerId, CancellationToken cancellationToken) { calls.Add(); return inner.ListCertificationIdsAsync(pensionerId, cancellationToken); }

        public Task<int> DeleteAsync(string pensionerId, string idNumberHash, CancellationToken cancellationToken) { calls.Add(); return inner.DeleteAsync(pensionerId, idNumberHash, cancellationToken); }

        public Task<bool> RecordFailedAttemptAsync(string pensionerId, DateOnly day, string certificationId, CancellationToken cancellationToken) { calls.Add(); return inner.RecordFailedAttemptAsync(pensionerId, day, certificationId, cancellationToken); }

        public Task RemoveCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) { calls.Add(); return inner.RemoveCertificationAsync(pensionerId, certificationId, cancellationToken); }

        public Task<int> CountFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken) { calls.Add(); return inner.CountFailedAttemptsAsync(pensionerId, day, cancellationToken); }
    }

    private sealed class FixedClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
    }
}
