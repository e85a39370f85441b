using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Infrastructure.TableExport;

namespace PensionCert.Functions;

/// <summary>The nightly table export's timer: binds the schedule (UTC, <see cref="Schedules.ExportTables"/>) and calls <see cref="TableExporter.ExportTodayAsync"/>.</summary>
public sealed class TableExportTimerFunctions(TableExporter exporter)
{
    [Function(FunctionNames.ExportTables)]
    public Task ExportTables([TimerTrigger(Schedules.ExportTables, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        exporter.ExportTodayAsync(cancellationToken);
}
