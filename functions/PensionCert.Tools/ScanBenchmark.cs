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
/// times the daily scan of that date, then grows the population to 10×N (with K due on another date) and times it
/// again. The scan reads only the due-index partition of the date, so its time should follow K, not N.
/// </summary>
public static class ScanBenchmark
{
    private static readonly DateOnly FirstDate = new(2031, 6, 1);
    private static readonly DateOnly SecondDate = new(2031, 6, 2);

    /// <summary>Runs the benchmark and prints one line per population.</summary>
    public static async Task<int> RunAsync(string connectionString, int population, int due, int scale, TextWriter output, CancellationToken cancellationToken)
    {
        var clock = new FixedClock();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["PensionCert:Identity:HashKey"] = Convert.ToBase64String(new byte[32]),
            ["PensionCert:DataProtection:ActiveKeyId"] = "bench",
            ["PensionCert:DataProtection:Keys:bench"] = Convert.ToBase64String(new byte[32]),
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
            watch.Restart();
            var listed = 0;
            await foreach (var _ in store.ListDueAsync(date, cancellationToken)) listed++;
            var indexReadMs = watch.Elapsed.TotalMilliseconds;
            calls.Reset();
            watch.Restart();
            var report = await scan.RunAsync(cancellationToken);
            var scanMs = watch.Elapsed.TotalMilliseconds;
            var scanCalls = calls.Count;
            watch.Restart();
            await scan.RunAsync(cancellationToken); // a double-fired run: nothing to do
            var repeatMs = watch.Elapsed.TotalMilliseconds;
            // The emulator's own cost per request at this table size: 50 sequential profile point reads.
            var repository = provider.GetRequiredService<IPensionerRepository>();
            var sampleIds = new List<string>();
            await foreach (var id in store.ListDueAsync(date.AddDays(10), cancellationToken)) sampleIds.Add(id);
            watch.Restart();
            for (var i = 0; i < 50; i++) await repository.GetAsync(sampleIds[i % Math.Max(1, sampleIds.Count)], cancellationToken);
            var pointReadMs = watch.Elapsed.TotalMilliseconds / 50;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target,10}  {report.PensionersVisited,3}  {seedSeconds,6:F1}  {indexReadMs,13:F0}  {scanMs,7:F0}  {scanMs / Math.Max(1, report.PensionersVisited),10:F1}  {scanCalls,13}  {report.EffectsApplied,7}  {repeatMs,14:F0}  {pointReadMs,15:F1}"));
            _ = watermark;
            _ = listed;
        }
        return 0;
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
            async (p, ct) => await repository.SaveEnrollmentAsync(p, null, ct));
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
