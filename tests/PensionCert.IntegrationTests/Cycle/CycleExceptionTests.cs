using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;

namespace PensionCert.IntegrationTests.Cycle;

/// <summary>
/// Issue #10 item 2: one pensioner the scan cannot read (a profile encrypted under a retired key) no longer stops the
/// cycle: it becomes a cycle exception, everyone else due that date gets their reminder, the watermark advances, and
/// the exception is retried by every later run until it succeeds.
/// </summary>
[Collection(CycleCollection.Name)]
public sealed class CycleExceptionTests(CycleFixture f)
{
    [Fact]
    public async Task Scan_ProfileUnderARetiredKey_RecordedAsException_OthersRemindedWatermarkAdvances_RetriedUntilFixed()
    {
        await f.ResetScanStateAsync();
        var ct = CancellationToken.None;
        var exceptions = f.Services.GetRequiredService<ICycleExceptionStore>();
        var queries = f.Services.GetRequiredService<CycleExceptionQueries>();
        f.SetScanTime(new DateOnly(2026, 3, 1));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await f.SeedAsync(f.IdNumber("120102", 300 + i), "120102", f.Clock.GetUtcNow()));
        var broken = ids[1];
        var validUntil = (await f.Pensioners.GetAsync(broken, ct))!.ValidUntil!.Value;
        // The name was encrypted under a key the deployment no longer holds.
        var row = (await f.Storage.Pensioners.GetEntityAsync<TableEntity>(broken, "profile", cancellationToken: ct)).Value;
        var intact = row.GetString("NameProtected");
        row["NameProtected"] = "retired2019:" + intact[(intact.IndexOf(':') + 1)..];
        await f.Storage.Pensioners.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);

        var reminderDay = validUntil.AddDays(-30);
        f.SetScanTime(reminderDay);
        var first = await f.RunScanAsync(ct);

        Assert.Equal([reminderDay], first.DatesProcessed);
        Assert.Equal(1, first.Exceptions);
        Assert.Equal(reminderDay, (await f.Services.GetRequiredService<ICycleStore>().GetWatermarkAsync(ct))!.LastCompletedOn);
        await f.Dispatcher.DispatchAsync(ct);
        var reminded = (await f.DrainEventsAsync()).Where(e => e.Type == EventTypes.CertificationDueSoon).Select(e => e.Data.PensionerId).ToHashSet();
        Assert.Contains(ids[0], reminded);
        Assert.Contains(ids[2], reminded);
        Assert.DoesNotContain(broken, reminded);
        var listed = Assert.Single(await queries.ListAsync("120000", ct), x => x.PensionerId == broken);
        Assert.Equal(("120102", reminderDay, 1, "CryptographicException"), (listed.RegionCode, listed.DueOn, listed.Attempts, listed.ErrorType));

        // Still broken the next day: retried first, counted again, and the next date completes all the same.
        f.SetScanTime(reminderDay.AddDays(1));
        var second = await f.RunScanAsync(ct);
        Assert.Equal(1, second.Exceptions);
        Assert.Equal(0, second.ExceptionsResolved);
        Assert.Equal([reminderDay.AddDays(1)], second.DatesProcessed);
        Assert.Equal(2, (await queries.ListAsync("120102", ct)).Single(x => x.PensionerId == broken).Attempts);

        // The operator restores the key (here: the profile): the next run processes the pensioner and closes the exception.
        row = (await f.Storage.Pensioners.GetEntityAsync<TableEntity>(broken, "profile", cancellationToken: ct)).Value;
        row["NameProtected"] = intact;
        await f.Storage.Pensioners.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
        f.SetScanTime(reminderDay.AddDays(2));
        var third = await f.RunScanAsync(ct);
        Assert.Equal(1, third.ExceptionsResolved);
        Assert.Equal(0, third.Exceptions);
        Assert.DoesNotContain(await queries.ListAsync("120000", ct), x => x.PensionerId == broken);
        await f.Dispatcher.DispatchAsync(ct);
        var late = await f.DrainEventsAsync();
        Assert.Contains(late, e => e.Type == EventTypes.CertificationDueSoon && e.Data.PensionerId == broken && e.Data.DaysBefore == 30);
        await foreach (var x in exceptions.ListAllAsync(ct)) Assert.NotEqual(broken, x.PensionerId);
    }
}
