using PensionCert.Core.Cycle;
using PensionCert.Core.Events;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// The first scan of a deployment (no watermark stored yet) on Azurite: it starts at the earliest date in the due
/// index, not at today, so a pensioner scheduled before the first run is reminded, found overdue and investigated
/// instead of sitting for good under a date no run will read again.
/// </summary>
[Collection(CycleCollection.Name)]
public sealed class FirstScanTests(CycleFixture f)
{
    [Fact]
    public async Task FirstScan_WithoutWatermark_CatchesUpFromTheEarliestScheduledDate()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        f.SetScanTime(new DateOnly(2026, 1, 10));
        var id = await f.SeedAsync(f.IdNumber("120105", 800), "120105", f.Clock.GetUtcNow());
        await f.Cycle.RecordCertifiedAsync(id, f.Clock.GetUtcNow(), new CertificationOrigin("app"), ct);
        await f.Dispatcher.DispatchAsync(ct);
        await f.DrainEventsAsync();
        var validUntil = (await f.Pensioners.GetAsync(id, ct))!.ValidUntil!.Value;

        // No scan ever ran (no watermark); the first one runs on the overdue day.
        f.SetScanTime(validUntil.AddDays(1));
        var scan = await f.RunScanAsync(ct);

        Assert.Equal(validUntil.AddDays(-30), scan.DatesProcessed[0]);
        Assert.Equal(validUntil.AddDays(1), scan.DatesProcessed[^1]);
        Assert.Equal(4, scan.EffectsApplied); // three reminders and the overdue notice with its investigation
        Assert.Equal(PensionerStanding.UnderInvestigation, (await f.Pensioners.GetAsync(id, ct))!.Standing);
        await f.Dispatcher.DispatchAsync(ct);
        var types = (await f.DrainEventsAsync()).Where(e => e.Data.PensionerId == id).Select(e => e.Type).ToList();
        Assert.Contains(EventTypes.CertificationOverdue, types);
        Assert.Contains(EventTypes.InvestigationOpened, types);
        Assert.Equal(3, types.Count(t => t == EventTypes.CertificationDueSoon));
    }
}
