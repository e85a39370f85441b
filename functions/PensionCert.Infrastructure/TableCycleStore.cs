using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Cycle;
using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Cycle storage on Tables.
/// <list type="bullet">
/// <item>Pensioners table, the pensioner's partition (PartitionKey = pensioner id): the <c>profile</c> row and one
/// <c>outbox-{eventId}</c> row per event (with an <c>Audit</c> entry for the dispatcher to append, when the change
/// carries one), written in one <see cref="TableTransactionAction"/> batch with a certification's rows. The outbox row is
/// added (insert-if-absent), so it doubles as the exactly-once marker of the effect: a repeat fails the whole
/// batch with 409 and writes nothing.</item>
/// <item>OutboxIndex table: a pointer per pending event (PartitionKey <c>pending-{0..7}</c> by event id), written
/// just before the batch so the dispatcher finds pending rows without scanning the Pensioners table; a pointer whose
/// batch never happened is dropped by the dispatcher after <see cref="OutboxDispatcher.OrphanAfter"/>.</item>
/// <item>CycleDueIndex table: PartitionKey = China date <c>yyyyMMdd</c>, RowKey = pensioner id (one partition read per
/// scanned date), the watermark row (PartitionKey <c>scan</c>, RowKey <c>watermark</c>), and one claim row per pointer
/// partition (PartitionKey <c>lease</c>, RowKey <c>pending-{n}</c>: owner and expiry), so one dispatcher at a time works a
/// pointer partition.</item>
/// </list>
/// </summary>
public sealed class TableCycleStore(StorageClients clients, TablePensionerRepository pensioners) : ICycleStore, IOutboxStore
{
    /// <summary>Number of pointer partitions.</summary>
    public const int PointerShards = 8;

    private const string OutboxRowPrefix = "outbox-";
    private const string WatermarkPartition = "scan";
    /// <summary>CycleDueIndex partition of the dispatchers' claims (beside the scan watermark): RowKey = the pointer partition's name.</summary>
    private const string LeasePartition = "lease";
    private const string WatermarkRow = "watermark";

    /// <inheritdoc />
    public Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<CycleEvent> events, CancellationToken cancellationToken) =>
        SaveAsync(profile, events, null, cancellationToken);

    /// <inheritdoc />
    public Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<CycleEvent> events, CertificationRows? rows, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (profile.ETag is null) throw new ArgumentException("Only a stored profile can be changed.", nameof(profile));
            if (events.Count > 97) throw new ArgumentException("At most 97 events per change (one batch of 100 with the profile and a certification's two rows).", nameof(events));
            foreach (var e in events)
            {
                await clients.OutboxIndex.UpsertEntityAsync(new TableEntity(PointerPartition(e.Id), e.Id)
                {
                    ["PensionerId"] = profile.PensionerId,
                    ["CreatedAt"] = e.OccurredAt,
                    ["Sequence"] = e.Sequence,
                    // The writing span's trace context, so the dispatcher's publish continues that trace.
                    ["TraceParent"] = Core.Telemetry.PensionCertTelemetry.CurrentTraceParent,
                }, TableUpdateMode.Replace, cancellationToken);
            }
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateReplace, pensioners.ToEntity(profile), new ETag(profile.ETag)),
            };
            // An audit entry of the certification's decision rides on its event's outbox row (the dispatcher appends it).
            var audit = rows?.Audit?.Invoke();
            var audited = audit is null ? null : events.FirstOrDefault(e => e.Data.CertificationId == rows!.CertificationId);
            actions.AddRange(events.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToOutboxEntity(profile.PensionerId, e, e == audited ? audit : null))));
            if (rows is not null) actions.AddRange(TableCertificationRows.Actions(profile.PensionerId, rows));
            try
            {
                await clients.Pensioners.SubmitTransactionAsync(actions, cancellationToken);
                return CycleSaveResult.Saved;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409 || ex.ErrorCode == "EntityAlreadyExists")
            {
                return CycleSaveResult.AlreadyRecorded;
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // The pensioner was erased after it was read: the pointers written above point at nothing (the erasure
                // removed the pensioner's pointers before they existed). Removed here, not left for the dispatcher's
                // 10-minute orphan rule. Only on 404: after a 412 another writer may have stored events with these ids.
                foreach (var e in events) await DeletePointerIfExistsAsync(e.Id, cancellationToken);
                throw new ConcurrencyConflictException("The pensioner profile was erased meanwhile.", ex);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                throw new ConcurrencyConflictException("The pensioner profile changed meanwhile.", ex);
            }
        });

    private async Task DeletePointerIfExistsAsync(string eventId, CancellationToken cancellationToken)
    {
        try
        {
            await clients.OutboxIndex.DeleteEntityAsync(PointerPartition(eventId), eventId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <inheritdoc />
    public Task ScheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.CycleDueIndex.UpsertEntityAsync(new TableEntity(DuePartition(on), pensionerId), TableUpdateMode.Replace, cancellationToken));

    /// <inheritdoc />
    public Task UnscheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.CycleDueIndex.DeleteEntityAsync(DuePartition(on), pensionerId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDueAsync(DateOnly on, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition(on)}");
        var pages = clients.CycleDueIndex.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken).AsPages();
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.Guard(() => enumerator.MoveNextAsync().AsTask()))
            foreach (var e in enumerator.Current.Values)
                yield return e.RowKey;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListDueRangeAsync(DateOnly on, string after, string? through, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One range query inside the date's partition: a work item reads only its own slice.
        var filter = through is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition(on)} and RowKey gt {after}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition(on)} and RowKey gt {after} and RowKey le {through}");
        var pages = clients.CycleDueIndex.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken).AsPages();
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (await StorageErrors.Guard(() => enumerator.MoveNextAsync().AsTask()))
            foreach (var e in enumerator.Current.Values)
                yield return e.RowKey;
    }

    /// <inheritdoc />
    public Task<DateOnly?> GetEarliestDueDateAsync(CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            // Date partitions (yyyyMMdd, digits) sort before the scan and lease partitions; the first row is the earliest.
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {"00000000"} and PartitionKey le {"99999999"}");
            await foreach (var e in clients.CycleDueIndex.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
                return DateOnly.TryParseExact(e.PartitionKey, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var on) ? on : (DateOnly?)null;
            return null;
        });

    /// <inheritdoc />
    public Task<ScanWatermark?> GetWatermarkAsync(CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.CycleDueIndex.GetEntityIfExistsAsync<TableEntity>(WatermarkPartition, WatermarkRow, cancellationToken: cancellationToken);
            if (!response.HasValue) return null;
            var e = response.Value!;
            return new ScanWatermark(DateOnly.ParseExact(e.GetString("LastCompletedOn"), "yyyy-MM-dd", CultureInfo.InvariantCulture), e.ETag.ToString());
        });

    /// <inheritdoc />
    public Task<bool> TryAdvanceWatermarkAsync(DateOnly completedOn, ScanWatermark? expected, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (expected is not null && expected.LastCompletedOn >= completedOn) return false;
            var entity = new TableEntity(WatermarkPartition, WatermarkRow)
            {
                ["LastCompletedOn"] = completedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            try
            {
                if (expected is null) await clients.CycleDueIndex.AddEntityAsync(entity, cancellationToken);
                else await clients.CycleDueIndex.UpdateEntityAsync(entity, new ETag(expected.ETag), TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
            {
                return false;
            }
        });

    /// <inheritdoc />
    public int PartitionCount => PointerShards;

    /// <inheritdoc />
    public Task<OutboxLease?> TryClaimAsync(int partition, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var rowKey = "pending-" + partition.ToString(CultureInfo.InvariantCulture);
            var entity = new TableEntity(LeasePartition, rowKey) { ["Owner"] = owner, ["ExpiresAt"] = now + duration };
            var current = await clients.CycleDueIndex.GetEntityIfExistsAsync<TableEntity>(LeasePartition, rowKey, cancellationToken: cancellationToken);
            try
            {
                Response response;
                if (!current.HasValue)
                {
                    response = await clients.CycleDueIndex.AddEntityAsync(entity, cancellationToken);
                }
                else
                {
                    var held = current.Value!;
                    if (held.GetString("Owner") != owner && held.GetDateTimeOffset("ExpiresAt") is { } expires && expires > now) return null;
                    response = await clients.CycleDueIndex.UpdateEntityAsync(entity, held.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                return new OutboxLease(partition, owner, now + duration, response.Headers.ETag?.ToString() ?? "");
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
            {
                return null; // Another dispatcher claimed it first.
            }
        });

    /// <inheritdoc />
    public Task ReleaseAsync(OutboxLease lease, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var entity = new TableEntity(LeasePartition, "pending-" + lease.Partition.ToString(CultureInfo.InvariantCulture))
            {
                ["Owner"] = lease.Owner,
                ["ExpiresAt"] = DateTimeOffset.UnixEpoch,
            };
            try
            {
                await clients.CycleDueIndex.UpdateEntityAsync(entity, new ETag(lease.ETag), TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                // The claim lapsed and another dispatcher holds the partition now.
            }
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<OutboxPointer> ListPendingAsync(IReadOnlyCollection<int> partitions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var shard in partitions)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"pending-" + shard.ToString(CultureInfo.InvariantCulture)}");
            var pages = clients.OutboxIndex.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).AsPages();
            await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
            while (await StorageErrors.Guard(() => enumerator.MoveNextAsync().AsTask()))
                foreach (var e in enumerator.Current.Values)
                    yield return new OutboxPointer(e.RowKey, e.GetString("PensionerId"), e.GetDateTimeOffset("CreatedAt") ?? default) { Sequence = e.GetInt32("Sequence") ?? 0, TraceParent = e.GetString("TraceParent") };
        }
    }

    /// <inheritdoc />
    public Task<OutboxEntry?> GetAsync(OutboxPointer pointer, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.Pensioners.GetEntityIfExistsAsync<TableEntity>(pointer.PensionerId, OutboxRowPrefix + pointer.EventId, cancellationToken: cancellationToken);
            if (!response.HasValue) return null;
            var e = response.Value!;
            var cycleEvent = new CycleEvent(pointer.EventId, e.GetString("Type"), e.GetDateTimeOffset("OccurredAt") ?? default, e.GetInt32("Sequence") ?? 0,
                CloudEventJson.DeserializeData(e.GetString("Data")));
            return new OutboxEntry(cycleEvent, e.GetDateTimeOffset("SentAt"), e.ETag.ToString())
            {
                Audit = e.GetString("Audit") is { } audit ? System.Text.Json.JsonSerializer.Deserialize<Core.Audit.AuditEntry>(audit) : null,
            };
        });

    /// <inheritdoc />
    public Task<bool> MarkSentAsync(OutboxEntry entry, DateTimeOffset sentAt, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var patch = new TableEntity(entry.Event.Data.PensionerId, OutboxRowPrefix + entry.Event.Id) { ["SentAt"] = sentAt };
            try
            {
                await clients.Pensioners.UpdateEntityAsync(patch, new ETag(entry.ETag), TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The pensioner was erased meanwhile (an update never creates the row).
                return false;
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
            {
                // Another dispatcher marked it meanwhile.
            }
            return true;
        });

    /// <inheritdoc />
    public Task<int> RemovePointersForPensionerAsync(string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var removed = 0;
            for (var shard = 0; shard < PointerShards; shard++)
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {"pending-" + shard.ToString(CultureInfo.InvariantCulture)} and PensionerId eq {pensionerId}");
                await foreach (var e in clients.OutboxIndex.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
                {
                    try
                    {
                        await clients.OutboxIndex.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
                        removed++;
                    }
                    catch (RequestFailedException ex) when (ex.Status == 404)
                    {
                    }
                }
            }
            return removed;
        });

    /// <inheritdoc />
    public Task RemovePointerAsync(OutboxPointer pointer, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.OutboxIndex.DeleteEntityAsync(PointerPartition(pointer.EventId), pointer.EventId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    /// <summary>The due-index PartitionKey of a China date: <c>yyyyMMdd</c>.</summary>
    public static string DuePartition(DateOnly on) => on.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string PointerPartition(string eventId) =>
        "pending-" + (Convert.ToInt32(eventId[^1..], 16) % PointerShards).ToString(CultureInfo.InvariantCulture);

    private static TableEntity ToOutboxEntity(string pensionerId, CycleEvent e, Core.Audit.AuditEntry? audit) => new(pensionerId, OutboxRowPrefix + e.Id)
    {
        ["Type"] = e.Type,
        ["OccurredAt"] = e.OccurredAt,
        ["Sequence"] = e.Sequence,
        ["Data"] = CloudEventJson.SerializeData(e.Data),
        ["SentAt"] = null,
        // Ids and counts only (AuditEntry holds no personal data); appended to OperatorAudit by the dispatcher.
        ["Audit"] = audit is null ? null : System.Text.Json.JsonSerializer.Serialize(audit),
    };
}
