using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Events;
using PensionCert.Core.HomeVisits;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// The local walkthrough of one certification year (what <c>run-cycle --date</c> and the local host's clock setting
/// walk), on the real services and Azurite with a fake clock: due-soon, overdue and investigation, a home visit that
/// holds suspension, suspension once the visit is cancelled, and resumption with back-pay when a home visit certifies.
/// </summary>
[Collection(CycleCollection.Name)]
public sealed class YearWalkWithHomeVisitTests(CycleFixture f)
{
    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset China(string date, int hour) => ChinaTime.StartOfDay(D(date)).AddHours(hour);

    [Fact]
    public async Task YearWalk_DueSoonOverdueHomeVisitHoldSuspensionAndResumptionWithBackPay()
    {
        var ct = CancellationToken.None;
        await f.ResetScanStateAsync(China("2026-01-10", 9));
        var p = await f.SeedAsync(f.IdNumber("110105", 501), "110105", China("2026-01-10", 9));
        Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordCertifiedAsync(p, China("2026-01-10", 10), new CertificationOrigin("counter", "c" + new string('1', 32)), ct));
        var visits = f.Services.GetRequiredService<HomeVisitService>();
        var clerk = new OperatorPrincipal("clerk-walk", OperatorRole.Clerk, ["110105"]);
        var events = new List<CycleEvent>();
        async Task RunCycleAsync(string date)
        {
            f.SetScanTime(D(date));
            await f.RunScanAsync(ct);
            await f.Services.GetRequiredService<HomeVisitSweep>().RunAsync(ct);
            await f.Dispatcher.DispatchAsync(ct);
            events.AddRange((await f.DrainEventsAsync()).Where(e => e.Data.PensionerId == p));
        }

        await RunCycleAsync("2026-12-11");
        Assert.Contains(events, e => e.Type == EventTypes.CertificationDueSoon && e.Data.DaysBefore == 30);
        await RunCycleAsync("2027-01-11");
        Assert.Contains(events, e => e.Type == EventTypes.CertificationOverdue);
        Assert.Contains(events, e => e.Type == EventTypes.InvestigationOpened);

        f.Clock.SetUtcNow(China("2027-01-12", 10));
        var visit = (await visits.RequestAsync(new RequestHomeVisitCommand(p, null, "very-old", "13800138000", "北京市朝阳区某某街道12号楼3单元401", ["2027-01-20"]),
            new VisitRequester(VisitRequester.Operator, clerk.Subject), clerk, null, ct)).Visit;
        var held = await Assert.ThrowsAsync<ProblemException>(() => f.Cycle.RecordInvestigationOutcomeAsync(p, InvestigationOutcome.Suspend, ct));
        Assert.Equal(ProblemTypes.SuspensionHeld, held.Problem);
        await visits.CancelAsync(visit.VisitId, CancelReasons.Other, clerk, null, ct);
        Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordInvestigationOutcomeAsync(p, InvestigationOutcome.Suspend, ct));

        f.Clock.SetUtcNow(China("2027-03-01", 10));
        var second = (await visits.RequestAsync(new RequestHomeVisitCommand(p, null, "bedridden", "13800138000", "北京市朝阳区某某街道12号楼3单元401", ["2027-03-05"]),
            new VisitRequester(VisitRequester.Family, "dev-online"), null, null, ct)).Visit;
        await visits.ScheduleAsync(second.VisitId, "2027-03-05", "staff-07", clerk, null, ct);
        f.Clock.SetUtcNow(China("2027-03-05", 10));
        // The certification captured on the visit approves (the worker records it like this), then the visit completes.
        Assert.Equal(CycleCommandResult.Applied, await f.Cycle.RecordCertifiedAsync(p, China("2027-03-05", 10), new CertificationOrigin("home-visit", "c" + new string('2', 32)), ct));
        await RunCycleAsync("2027-03-06");

        var types = events.Select(e => e.Type).ToArray();
        Assert.Equal(1, types.Count(t => t == EventTypes.PaymentSuspended));
        Assert.Contains(HomeVisitEvents.Requested, types);
        Assert.Contains(HomeVisitEvents.Cancelled, types);
        Assert.Contains(HomeVisitEvents.Scheduled, types);
        var resumed = Assert.Single(events, e => e.Type == EventTypes.PaymentResumed);
        Assert.Equal("2027-04", resumed.Data.ResumeFromMonth);
        Assert.Equal(["2027-01", "2027-02", "2027-03"], resumed.Data.BackPayMonths);
        Assert.Contains(events, e => e.Type == EventTypes.CertificationApproved && e.Data.Channel == "home-visit");
        var profile = await f.Pensioners.GetAsync(p, ct);
        Assert.Equal(PensionerStanding.Active, profile!.Standing);
        Assert.Equal(D("2028-03-05"), profile.ValidUntil);
    }
}
