using Microsoft.Azure.WebJobs;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure.TableExport;

namespace PensionCert.LocalHost;

/// <summary>
/// The nightly table export on the local host (the Functions app's <c>TableExportTimerFunctions</c>): same name and
/// schedule, within host.json <c>functionTimeout</c> like <see cref="LocalTriggers"/>.
/// </summary>
public sealed class LocalTableExportTrigger(TableExporter exporter, FunctionTimeout timeout)
{
    /// <summary>Exports every table to the audit archive (locally the Azurite container <c>table-exports</c>).</summary>
    [FunctionName(FunctionNames.ExportTables)]
    public Task ExportTables([TimerTrigger(Schedules.ExportTables, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        timeout.RunAsync(FunctionNames.ExportTables, exporter.ExportTodayAsync, cancellationToken);
}
