using System.Diagnostics.Metrics;
using System.Globalization;
using PensionCert.Core.Definitions;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Listens to <see cref="TelemetryNames.StorageCalls"/> (the round trips the storage clients' pipeline policy counted
/// for each verification and each accepted submission) and prints their averages:
/// <c>storage-calls per-verification=N per-submission=M</c>.
/// </summary>
internal sealed class StorageCallMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, (long Sum, long Count)> _byOperation = new(StringComparer.Ordinal);

    public StorageCallMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetryNames.Source && instrument.Name == TelemetryNames.StorageCalls) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key != TelemetryNames.Attributes.Operation || tag.Value is not string operation) continue;
                lock (_byOperation)
                {
                    var (sum, count) = _byOperation.GetValueOrDefault(operation);
                    _byOperation[operation] = (sum + value, count + 1);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The average round trips per operation so far, or null when none was measured.</summary>
    public double? Average(string operation)
    {
        lock (_byOperation)
            return _byOperation.TryGetValue(operation, out var s) && s.Count > 0 ? (double)s.Sum / s.Count : null;
    }

    /// <summary><c>storage-calls per-verification=N per-submission=M</c> (n/a where none ran), with the counts measured.</summary>
    public string Line()
    {
        string Format(string operation)
        {
            lock (_byOperation)
                return _byOperation.TryGetValue(operation, out var s) && s.Count > 0
                    ? ((double)s.Sum / s.Count).ToString("0.##", CultureInfo.InvariantCulture)
                    : "n/a";
        }
        long Count(string operation)
        {
            lock (_byOperation) return _byOperation.GetValueOrDefault(operation).Count;
        }
        return $"storage-calls per-verification={Format(TelemetryNames.Operations.Verification)} per-submission={Format(TelemetryNames.Operations.Submission)} " +
            $"(over {Count(TelemetryNames.Operations.Verification)} verifications, {Count(TelemetryNames.Operations.Submission)} accepted submissions; SDK pipeline policy, retries included)";
    }

    public void Dispose() => _listener.Dispose();
}
