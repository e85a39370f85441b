using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Evidence;
using Xunit.Abstractions;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>Data-comparison imports through the real service against Azurite.</summary>
[Collection(CycleCollection.Name)]
public sealed class EvidenceImportTests(CycleFixture f, ITestOutputHelper output)
{
    private static async IAsyncEnumerable<EvidenceRecord> Stream(IEnumerable<EvidenceRecord> records)
    {
        foreach (var r in records)
        {
            await Task.Yield();
            yield return r;
        }
    }

    [Fact]
    public async Task Import_TenThousandRecords_CertifiesTrustedOnesOnceAndRepeatChangesNothing()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        const int people = 1000;
        var enrolled = new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero);
        f.Clock.SetUtcNow(enrolled);
        var idNumbers = Enumerable.Range(0, people).Select(i => f.IdNumber("320102", 10_000 + i)).ToArray();
        var pensionerIds = new string[people];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, people), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            pensionerIds[i] = await f.SeedAsync(idNumbers[i], "320102", enrolled));

        f.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 2, 0, 0, TimeSpan.Zero));
        // 10,000 records: per enrolled person a trusted medical-insurance settlement and a record from an untrusted
        // source (2,000); 4,000 records of people not enrolled here; 4,000 records with a bad type or date.
        var records = Enumerable.Range(0, people).SelectMany(i => new[]
            {
                (IdNumber: idNumbers[i], Type: "medical-settlement", Date: "2026-02-20", Source: "medical-insurance"),
                (IdNumber: idNumbers[i], Type: "bank-counter", Date: "2026-02-21", Source: "street-vendor"),
            })
            .Concat(Enumerable.Range(0, 4000).Select(i => (IdNumber: f.IdNumber("320102", 20_000 + i), Type: "transport-ticket", Date: "2026-02-11", Source: "transport")))
            .Concat(Enumerable.Range(0, 4000).Select(i => (IdNumber: idNumbers[i % people], Type: i % 2 == 0 ? "selfie" : "hospital-stay", Date: i % 2 == 0 ? "2026-02-11" : "2026-02-30", Source: "hospital")))
            .Select((r, i) => new EvidenceRecord(i + 1, r.IdNumber, r.Type, r.Date, r.Source))
            .ToArray();
        var import = f.Services.GetRequiredService<EvidenceImportService>();

        output.WriteLine($"seeded {people} in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        var first = await import.ImportAsync(Stream(records), CycleFixture.Integration("320000"), ct);
        output.WriteLine($"10,000 records imported in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        Assert.Equal(10_000, first.Received);
        Assert.Equal(people, first.Counts[EvidenceResults.Certified]);
        Assert.Equal(people, first.Counts[EvidenceResults.UntrustedSource]);
        Assert.Equal(4000, first.Counts[EvidenceResults.UnknownPerson]);
        Assert.Equal(2000, first.Counts[EvidenceResults.InvalidType]);
        Assert.Equal(2000, first.Counts[EvidenceResults.InvalidDate]);
        Assert.Equal(10_000, first.Results.Count);
        Assert.Equal(Enumerable.Range(1, 10_000), first.Results.Select(r => r.Line));

        var second = await import.ImportAsync(Stream(records), CycleFixture.Integration("320000"), ct);
        output.WriteLine($"repeat import in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        Assert.Equal(0, second.Counts[EvidenceResults.Certified]);
        Assert.Equal(people, second.Counts[EvidenceResults.AlreadyApplied]);
        Assert.Equal(people, second.Counts[EvidenceResults.UntrustedSource]);

        var sample = await f.Pensioners.GetAsync(pensionerIds[123], ct);
        Assert.Equal(new DateOnly(2027, 2, 20), sample!.ValidUntil);
        Assert.Equal("2026-02-20", ChinaTime.ToChinaDate(sample.LastCertifiedAt!.Value).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        // Exactly one certification.silent per person reaches the sink.
        var ours = pensionerIds.ToHashSet();
        var dispatched = 0;
        for (var run = 0; run < 10 && (await f.Dispatcher.DispatchAsync(ct)).Published is var n && n > 0; run++) dispatched += n;
        output.WriteLine($"dispatched {dispatched} in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        var silent = (await f.DrainEventsAsync()).Where(e => ours.Contains(e.Data.PensionerId)).ToList();
        Assert.Equal(people, silent.Count(e => e.Type == EventTypes.CertificationSilent));
        Assert.Equal(people, silent.Select(e => e.Data.PensionerId).Distinct().Count());
        Assert.All(silent, e => Assert.Equal("medical-insurance", e.Data.EvidenceSource));
        output.WriteLine($"drained in {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Import_MixedBatch_ReportsEachRecordAndDeathStopsPayment()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        var enrolled = new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero);
        f.Clock.SetUtcNow(enrolled);
        var alive = f.IdNumber("320102", 50_001);
        var dead = f.IdNumber("320102", 50_002);
        var aliveId = await f.SeedAsync(alive, "320102", enrolled);
        var deadId = await f.SeedAsync(dead, "320102", enrolled);
        await f.Cycle.RecordCertifiedAsync(aliveId, new DateTimeOffset(2026, 1, 10, 2, 0, 0, TimeSpan.Zero), new CertificationOrigin("wechat"), ct);
        f.Clock.SetUtcNow(new DateTimeOffset(2026, 3, 1, 2, 0, 0, TimeSpan.Zero));
        var unknown = f.IdNumber("320102", 50_003);

        var batch = new[]
        {
            new EvidenceRecord(1, alive, "transport-ticket", "2026-01-05", "transport"),       // before the last certification
            new EvidenceRecord(2, unknown, "hospital-stay", "2026-02-01", "hospital"),          // not enrolled
            new EvidenceRecord(3, alive[..17] + (alive[17] == '0' ? '1' : '0'), "hospital-stay", "2026-02-01", "hospital"), // bad check character
            new EvidenceRecord(4, alive, "horoscope", "2026-02-01", "hospital"),
            new EvidenceRecord(5, alive, "hospital-stay", "2026-13-01", "hospital"),
            new EvidenceRecord(6, alive, "hospital-stay", "2026-03-05", "hospital"),             // in the future
            new EvidenceRecord(7, dead, "death-cremation", "2026-02-14", "funeral"),
            new EvidenceRecord(8, null, null, null, null, Unreadable: true),
        };
        var report = await f.Services.GetRequiredService<EvidenceImportService>().ImportAsync(Stream(batch), CycleFixture.Integration("320102"), ct);
        Assert.Equal(
            [EvidenceResults.Stale, EvidenceResults.UnknownPerson, EvidenceResults.InvalidIdNumber, EvidenceResults.InvalidType,
             EvidenceResults.InvalidDate, EvidenceResults.EvidenceInFuture, EvidenceResults.Deceased, EvidenceResults.InvalidRecord],
            report.Results.Select(r => r.Result));
        Assert.Null(report.Results[1].PensionerId);
        Assert.Equal(deadId, report.Results[6].PensionerId);

        // A proof-of-life record after death changes nothing; the death record again is already applied.
        var again = await f.Services.GetRequiredService<EvidenceImportService>().ImportAsync(Stream(
        [
            new EvidenceRecord(1, dead, "death-cremation", "2026-02-14", "funeral"),
            new EvidenceRecord(2, dead, "bank-counter", "2026-02-20", "bank"),
        ]), CycleFixture.Integration("320102"), ct);
        Assert.Equal([EvidenceResults.AlreadyApplied, EvidenceResults.Inactive], again.Results.Select(r => r.Result));

        await f.Dispatcher.DispatchAsync(ct);
        var events = (await f.DrainEventsAsync()).Where(e => e.Data.PensionerId == deadId).ToList();
        Assert.Equal([EventTypes.PaymentStopped, EventTypes.PensionerDeceased], events.Select(e => e.Type).Order(StringComparer.Ordinal));
        var stop = events.Single(e => e.Type == EventTypes.PaymentStopped);
        Assert.Equal(new DateOnly(2026, 2, 14), stop.Data.DateOfDeath);
        Assert.Equal("2026-03", stop.Data.StopFromMonth);
        var march = await f.Services.GetRequiredService<CycleQueryService>().PaymentChangesAsync("320102", "2026-03", ct);
        Assert.Contains(march, c => c.PensionerId == deadId && c.Kind == "stopped" && c.DateOfDeath == new DateOnly(2026, 2, 14));

        // Deceased: reminders stop (nothing due ever again).
        var profile = await f.Pensioners.GetAsync(deadId, ct);
        Assert.Equal(PensionerStanding.Deceased, profile!.Standing);
        Assert.Null(CyclePlanner.NextActionOn(profile, f.Cycle.PolicyFor("320102"), new DateOnly(2026, 3, 1)));
    }
    [Fact]
    public async Task Import_ImplausibleDatesRefusedPerRecord_DeathBeforeLaterCertificationOpensReview()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        var enrolled = new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero);
        f.Clock.SetUtcNow(enrolled);
        var person = f.IdNumber("320102", 60_001);
        var certified = f.IdNumber("320102", 60_002);
        var personId = await f.SeedAsync(person, "320102", enrolled);
        var certifiedId = await f.SeedAsync(certified, "320102", enrolled);
        await f.Cycle.RecordCertifiedAsync(certifiedId, new DateTimeOffset(2026, 6, 10, 2, 0, 0, TimeSpan.Zero), new CertificationOrigin("wechat"), ct);
        f.Clock.SetUtcNow(new DateTimeOffset(2026, 7, 1, 2, 0, 0, TimeSpan.Zero));

        var report = await f.Services.GetRequiredService<EvidenceImportService>().ImportAsync(Stream(
        [
            new EvidenceRecord(1, person, "hospital-stay", "2025-12-01", "hospital"),      // before the first enrolment
            new EvidenceRecord(2, person, "hospital-stay", "2026-03-01", "hospital"),      // 122 days old: older than the 90 allowed
            new EvidenceRecord(3, person, "hospital-stay", "2026-07-02", "hospital"),      // in the future
            new EvidenceRecord(4, person, "hospital-stay", "2026-06-20", "hospital"),
            new EvidenceRecord(5, certified, "death-cremation", "2026-06-01", "funeral"),  // before the live certification of 2026-06-10
        ]), CycleFixture.Integration("320102"), ct);

        Assert.Equal(
            [EvidenceResults.EvidenceBeforeEnrollment, EvidenceResults.EvidenceTooOld, EvidenceResults.EvidenceInFuture, EvidenceResults.Certified, EvidenceResults.ReviewOpened],
            report.Results.Select(r => r.Result));
        Assert.Equal(PensionerStanding.Active, (await f.Pensioners.GetAsync(certifiedId, ct))!.Standing);
        var cases = await f.Services.GetRequiredService<Core.Review.IReviewCaseStore>().ListAsync(["320102"], Core.Review.ReviewCaseState.Open, ct);
        var opened = Assert.Single(cases, c => c.PensionerId == certifiedId);
        Assert.Equal(Core.Review.ReviewReasons.DeathBeforeCertification, opened.Reason);
        Assert.Equal(new DateOnly(2026, 6, 1), opened.EffectiveOn);
        Assert.Equal("funeral", opened.Subject);
        Assert.DoesNotContain(cases, c => c.PensionerId == personId);
    }
}
