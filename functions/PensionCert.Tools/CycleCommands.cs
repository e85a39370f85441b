using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PensionCert.Core;
using PensionCert.Core.Cycle;
using PensionCert.Infrastructure;

namespace PensionCert.Tools;

/// <summary>run-cycle: the two cycle timers' work, once, against a storage account (the local demo).</summary>
public static class CycleCommands
{
    /// <summary>
    /// Runs the scan (from its watermark up to today, China time, or up to <paramref name="asOf"/>), the home-visit
    /// sweep and then the dispatcher. With <paramref name="asOf"/> every service runs on a clock fixed at 01:00 China
    /// time of that date, so a year can be walked locally date by date (the watermark only moves forward).
    /// </summary>
    public static async Task<int> RunOnceAsync(string connectionString, DateOnly? asOf, TextWriter output, CancellationToken cancellationToken)
    {
        // The local host's settings (the same hash and data-protection keys, so profiles decrypt), then the storage
        // given on the command line, then environment variables (as the hosts read them).
        var localSettings = MintToken.DefaultSettings();
        var builder = new ConfigurationBuilder();
        if (localSettings is not null) builder.AddJsonFile(localSettings.FullName, optional: false);
        var configuration = builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connectionString,
        }).AddEnvironmentVariables().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        if (asOf is { } date) services.AddSingleton<TimeProvider>(new FixedClock(ChinaTime.StartOfDay(date).AddHours(1)));
        services.AddPensionCertCore();
        services.AddPensionCertStorage();
        await using var provider = services.BuildServiceProvider();
        await StorageProvisioner.EnsureCreatedAsync(provider.GetRequiredService<StorageClients>(), cancellationToken);
        // The timer's part (plan the date after the watermark, enqueue its work items), then the queue trigger's part,
        // worked here by four workers; finishing a date plans the next, up to today. A local host running on the same
        // storage may take some of the items: the result is the same.
        var store = provider.GetRequiredService<ICycleStore>();
        var before = await store.GetWatermarkAsync(cancellationToken);
        var scan = await provider.GetRequiredService<CycleScanService>().RunAsync(cancellationToken);
        var drain = await provider.GetRequiredService<CycleScanWorkers>().DrainAsync(4, cancellationToken);
        var after = await store.GetWatermarkAsync(cancellationToken);
        string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "none";
        output.WriteLine($"scan: watermark {Day(before?.LastCompletedOn)} -> {Day(after?.LastCompletedOn)}, {drain.Worked} work item(s), {drain.Processed} due processed, "
            + $"{drain.Effects} effect(s), {drain.Failed + scan.ExceptionsStillFailing} cycle exception(s) open, {scan.ExceptionsResolved} resolved, "
            + $"{drain.Poisoned} item(s) poisoned, {scan.ItemsRetried} retried, {scan.ItemsSkipped} skipped");
        var sweep = await provider.GetRequiredService<Core.HomeVisits.HomeVisitSweep>().RunAsync(cancellationToken);
        output.WriteLine($"home visits: {sweep.Open} open, {sweep.Escalated} escalated, {sweep.Expired} expired, {sweep.Cancelled} cancelled, {sweep.Failed} failed");
        var dispatch = await provider.GetRequiredService<OutboxDispatcher>().DispatchAsync(cancellationToken);
        output.WriteLine($"dispatch: {dispatch.Published} published, {dispatch.AlreadySent} already sent, {dispatch.Orphaned} orphaned pointer(s) dropped, {dispatch.PartitionsBusy} partition(s) held by another dispatcher");
        return 0;
    }

    /// <summary>A clock that stands still at one instant (run-cycle --date).</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
