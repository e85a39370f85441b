using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Evidence;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// Drives the real scan, dispatcher and cycle commands day by day over two simulated years on a fake clock against
/// Azurite, and checks every event a small population receives: each reminder exactly once on its date, the overdue
/// notice and investigation on the day after valid-until, investigation before suspension, resumption with the right
/// back-pay months, the leap day, the year end (23:30 China time = 15:30 UTC), a three-day outage and a double-fired run.
/// </summary>
[Collection(CycleCollection.Name)]
public sealed class SimulatedYearTests(CycleFixture f)
{
    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset China(string date, int hour, int minute = 0) =>
        ChinaTime.StartOfDay(D(date)).AddHours(hour).AddMinutes(minute);

    [Fact]
    public async Task SimulatedYears_SmallPopulation_EveryEffectOnceOnItsDate()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        var enrolled = China("2024-02-28", 9);
        f.Clock.SetUtcNow(enrolled);
        var a = await f.SeedAsync(f.IdNumber("110101", 1), "110101", enrolled);   // operator-confirmed suspension, then resumption
        var b = await f.SeedAsync(f.IdNumber("110101", 2), "110101", enrolled);   // leap day; reminder during an outage
        var c = await f.SeedAsync(f.IdNumber("110101", 3), "110101", enrolled);   // year end 23:30 China time
        var d = await f.SeedAsync(f.IdNumber("440305", 4), "440305", enrolled);   // auto-suspension after 60 days
        var e = await f.SeedAsync(f.IdNumber("440305", 5), "440305", enrolled);   // auto-suspension held by a home visit
        var g = await f.SeedAsync(f.IdNumber("310101", 6), "310101", enrolled);   // suspension and resumption without back-pay
        var h = await f.SeedAsync(f.IdNumber("110101", 7), "110101", enrolled);   // silent certification by data comparison
        var hIdNumber = f.IdNumber("110101", 7);
        var ours = new HashSet<string> { a, b, c, d, e, g, h };

        // What happens during the day (10:00 China time, after the 01:00 scan), by China date.
        var actions = new Dictionary<DateOnly, Func<Task>>
        {
            [D("2024-02-29")] = () => f.Cycle.RecordCertifiedAsync(b, China("2024-02-29", 10), new CertificationOrigin("wechat", "c" + new string('b', 32)), ct),
            [D("2024-03-10")] = () => f.Cycle.RecordCertifiedAsync(h, China("2024-03-10", 10), new CertificationOrigin("alipay"), ct),
            [D("2024-03-15")] = () => f.Cycle.RecordCertifiedAsync(a, China("2024-03-15", 10), new CertificationOrigin("app"), ct),
            [D("2024-04-01")] = async () =>
            {
                await f.Cycle.RecordCertifiedAsync(d, China("2024-04-01", 10), new CertificationOrigin("counter"), ct);
                await f.Cycle.RecordCertifiedAsync(e, China("2024-04-01", 10), new CertificationOrigin("counter"), ct);
                await f.Cycle.RecordCertifiedAsync(g, China("2024-04-01", 10), new CertificationOrigin("counter"), ct);
            },
            [D("2024-12-31")] = () => Task.CompletedTask, // C certifies at 23:30, below
            [D("2025-02-20")] = async () =>
            {
                // A hospital stay on 2025-02-18 reported by a trusted source: silent certification.
                var report = await f.Services.GetRequiredService<EvidenceImportService>().ImportAsync(
                    Records(new EvidenceRecord(1, hIdNumber, "hospital-stay", "2025-02-18", "hospital")), CycleFixture.Integration("110000", "440000", "310000"), ct);
                Assert.Equal(1, report.Counts[EvidenceResults.Certified]);
            },
            [D("2025-04-10")] = async () =>
            {
                Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordInvestigationOutcomeAsync(a, InvestigationOutcome.Suspend, ct));
                Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordInvestigationOutcomeAsync(g, InvestigationOutcome.Suspend, ct));
            },
            [D("2025-04-20")] = () => f.Cycle.RecordInvestigationOutcomeAsync(e, InvestigationOutcome.HomeVisitRequested, ct),
            [D("2025-06-02")] = async () =>
            {
                Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordCertifiedAsync(a, China("2025-06-02", 10), new CertificationOrigin("app", "c" + new string('a', 32)), ct));
                Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordCertifiedAsync(g, China("2025-06-02", 10), new CertificationOrigin("counter"), ct));
            },
            [D("2025-06-10")] = () => f.Cycle.RecordInvestigationOutcomeAsync(e, InvestigationOutcome.HomeVisitClosed, ct),
        };
        var outage = new HashSet<DateOnly> { D("2025-02-20"), D("2025-02-21"), D("2025-02-22") };
        var doubleFired = D("2025-03-08");
        var states = new Dictionary<(string, DateOnly), EligibilityState>();
        var probes = new[] { D("2025-03-20"), D("2025-05-20"), D("2025-06-05"), D("2025-06-12") };

        for (var day = D("2024-02-29"); day <= D("2026-01-02"); day = day.AddDays(1))
        {
            f.SetScanTime(day);
            if (!outage.Contains(day))
            {
                if (day == doubleFired)
                {
                    // Two instances fire at once, then one is retried.
                    await Task.WhenAll(f.RunScanAsync(ct), f.RunScanAsync(ct));
                    await f.RunScanAsync(ct);
                }
                else
                {
                    await f.RunScanAsync(ct);
                }
            }
            await f.Dispatcher.DispatchAsync(ct);
            f.Clock.SetUtcNow(ChinaTime.StartOfDay(day).AddHours(10));
            if (actions.TryGetValue(day, out var action)) await action();
            if (day == D("2024-12-31"))
            {
                f.Clock.SetUtcNow(new DateTimeOffset(2024, 12, 31, 15, 30, 0, TimeSpan.Zero)); // 23:30 China time
                await f.Cycle.RecordCertifiedAsync(c, f.Clock.GetUtcNow(), new CertificationOrigin("e-ssc"), ct);
            }
            await f.Dispatcher.DispatchAsync(ct);
            if (probes.Contains(day))
                foreach (var id in ours)
                    states[(id, day)] = (await f.Services.GetRequiredService<EligibilityService>().GetAsync(id, ct)).State;
        }

        var events = (await f.DrainEventsAsync()).Where(x => ours.Contains(x.Data.PensionerId)).ToList();
        Assert.Equal(events.Count, events.Select(x => x.Id).Distinct().Count()); // nothing published twice

        string Line(CycleEvent x) => $"{x.Data.EffectiveOn:yyyy-MM-dd} {x.Type}{(x.Data.DaysBefore is { } n ? "/" + n : "")}";
        List<string> Of(string id) => events.Where(x => x.Data.PensionerId == id).OrderBy(x => x.Data.EffectiveOn).ThenBy(x => x.OccurredAt).ThenBy(x => x.Type, StringComparer.Ordinal).Select(Line).ToList();

        // A: certified 2024-03-15 → valid until 2025-03-15; the 7-day reminder falls on the double-fired run.
        Assert.Equal(new[]
        {
            "2024-03-15 certification.approved",
            "2025-02-13 certification.due-soon/30",
            "2025-03-08 certification.due-soon/7",
            "2025-03-14 certification.due-soon/1",
            "2025-03-16 certification.overdue",
            "2025-03-16 investigation.opened",
            "2025-04-10 payment.suspended",
            "2025-06-02 certification.approved",
            "2025-06-02 payment.resumed",
        }, Of(a));
        var resumed = events.Single(x => x.Data.PensionerId == a && x.Type == EventTypes.PaymentResumed);
        Assert.Equal(["2025-04", "2025-05", "2025-06"], resumed.Data.BackPayMonths);
        Assert.Equal("2025-07", resumed.Data.ResumeFromMonth);

        // B: leap day 2024-02-29 → valid until 2025-02-28; the 7-day reminder (2025-02-21) fell in the outage and was caught up once.
        Assert.Equal(
        [
            "2024-02-29 certification.approved",
            "2025-01-29 certification.due-soon/30",
            "2025-02-21 certification.due-soon/7",
            "2025-02-27 certification.due-soon/1",
            "2025-03-01 certification.overdue",
            "2025-03-01 investigation.opened",
        ], Of(b));
        var caughtUp = events.Single(x => x.Data.PensionerId == b && x.Data.DaysBefore == 7);
        Assert.Equal(D("2025-02-23"), ChinaTime.ToChinaDate(caughtUp.OccurredAt)); // published by the first run after the outage

        // C: certified 2024-12-31 23:30 China time (15:30 UTC) → China date 2024-12-31, valid until 2025-12-31.
        Assert.Equal(
        [
            "2024-12-31 certification.approved",
            "2025-12-01 certification.due-soon/30",
            "2025-12-24 certification.due-soon/7",
            "2025-12-30 certification.due-soon/1",
            "2026-01-01 certification.overdue",
            "2026-01-01 investigation.opened",
        ], Of(c));
        Assert.Equal(D("2025-12-31"), events.Single(x => x.Data.PensionerId == c && x.Type == EventTypes.CertificationApproved).Data.ValidUntil);

        // D: region 4403 auto-suspends 60 days after the overdue day (2025-04-02 + 60 = 2025-06-01), never before the investigation.
        var expectedD = new List<string>
        {
            "2024-04-01 certification.approved",
            "2025-03-02 certification.due-soon/30",
            "2025-03-25 certification.due-soon/7",
            "2025-03-31 certification.due-soon/1",
            "2025-04-02 certification.overdue",
            "2025-04-02 investigation.opened",
            "2025-06-01 payment.suspended",
        };
        Assert.Equal(expectedD, Of(d));

        // E: same region, but a home visit requested on 2025-04-20 holds suspension until it closes (2025-06-10); suspended the next day.
        Assert.Equal(
        [
            "2024-04-01 certification.approved",
            "2025-03-02 certification.due-soon/30",
            "2025-03-25 certification.due-soon/7",
            "2025-03-31 certification.due-soon/1",
            "2025-04-02 certification.overdue",
            "2025-04-02 investigation.opened",
            "2025-04-20 investigation.home-visit-requested",
            "2025-06-11 payment.suspended",
        ], Of(e));

        // G: region 3101 switches back-pay off: resumption carries no back-pay months.
        var resumedG = events.Single(x => x.Data.PensionerId == g && x.Type == EventTypes.PaymentResumed);
        Assert.Empty(resumedG.Data.BackPayMonths!);
        Assert.Equal("2025-07", resumedG.Data.ResumeFromMonth);

        // H: certified 2024-03-10; after the 30-day reminder a hospital stay certified silently and restarted the year.
        Assert.Equal(
        [
            "2024-03-10 certification.approved",
            "2025-02-08 certification.due-soon/30",
            "2025-02-18 certification.silent",
        ], Of(h));
        var silent = events.Single(x => x.Data.PensionerId == h && x.Type == EventTypes.CertificationSilent);
        Assert.Equal("data-comparison", silent.Data.Channel);
        Assert.Equal("alipay", silent.Data.PreferredChannel);
        Assert.Equal(D("2026-02-18"), silent.Data.ValidUntil);

        // States on probe dates.
        Assert.Equal(EligibilityState.UnderInvestigation, states[(a, D("2025-03-20"))]);
        Assert.Equal(EligibilityState.Suspended, states[(a, D("2025-05-20"))]);
        Assert.Equal(EligibilityState.Valid, states[(a, D("2025-06-05"))]);
        Assert.Equal(EligibilityState.UnderInvestigation, states[(d, D("2025-05-20"))]);
        Assert.Equal(EligibilityState.Suspended, states[(d, D("2025-06-05"))]);
        Assert.Equal(EligibilityState.UnderInvestigation, states[(e, D("2025-06-05"))]);
        Assert.Equal(EligibilityState.Suspended, states[(e, D("2025-06-12"))]);
        Assert.Equal(EligibilityState.Valid, states[(c, D("2025-03-20"))]);
        Assert.Equal(EligibilityState.Valid, states[(h, D("2025-03-20"))]);

        // Read models for operators and payroll (projected by the dispatcher).
        var queries = f.Services.GetRequiredService<CycleQueryService>();
        var april = await queries.PaymentChangesAsync("110101", "2025-04", ct);
        Assert.Contains(april, x => x.PensionerId == a && x.Kind == "suspended" && x.StopFromMonth == "2025-04");
        var june = await queries.PaymentChangesAsync("110101", "2025-06", ct);
        var resumption = Assert.Single(june, x => x.PensionerId == a);
        Assert.Equal("resumed", resumption.Kind);
        Assert.Equal(["2025-04", "2025-05", "2025-06"], resumption.BackPayMonths);
        var suspendedIn4403 = await queries.ListAsync("440305", "Suspended", null, 100, ct);
        Assert.Contains(suspendedIn4403.Items, x => x.PensionerId == d);
        Assert.Contains(suspendedIn4403.Items, x => x.PensionerId == e);
        var investigated = await queries.ListAsync("110101", "UnderInvestigation", null, 100, ct);
        Assert.Contains(investigated.Items, x => x.PensionerId == b);
        Assert.Contains(investigated.Items, x => x.PensionerId == c);
        Assert.DoesNotContain(investigated.Items, x => x.PensionerId == a);
    }

    private static async IAsyncEnumerable<EvidenceRecord> Records(params EvidenceRecord[] records)
    {
        foreach (var r in records)
        {
            await Task.Yield();
            yield return r;
        }
    }
}
