namespace PensionCert.Core.Cycle;

/// <summary>Where a date's plan stands.</summary>
public enum CycleScanPlanState
{
    /// <summary>A timer run holds the date and is writing its work items (until <see cref="CycleScanPlan.LeaseUntil"/>).</summary>
    Planning,

    /// <summary>Every work item is written and enqueued; the date completes when the last one is done.</summary>
    Planned,

    /// <summary>Every work item is Done or Skipped: the watermark may pass this date.</summary>
    Completed,
}

/// <summary>Where a work item stands.</summary>
public enum CycleScanItemState
{
    /// <summary>Waiting for (or being worked by) the queue trigger.</summary>
    Pending,

    /// <summary>Worked: every pensioner of the slice was processed or recorded as a cycle exception.</summary>
    Done,

    /// <summary>Every delivery failed (the message went to the poison queue); the next timer run retries or skips it.</summary>
    Poisoned,

    /// <summary>Poisoned too often: its pensioners were recorded as cycle exceptions instead (operators see and retry them there).</summary>
    Skipped,
}

/// <summary>One date's plan (ledger row <c>plan</c>).</summary>
/// <param name="On">The China date.</param>
/// <param name="State">Where it stands.</param>
/// <param name="ItemCount">Work items of the date (valid once Planned).</param>
/// <param name="Due">Due-index entries when the date was planned.</param>
/// <param name="Owner">The timer run that holds or held the date.</param>
/// <param name="LeaseUntil">When a Planning hold lapses.</param>
/// <param name="ETag">Concurrency token.</param>
public sealed record CycleScanPlan(DateOnly On, CycleScanPlanState State, int ItemCount, int Due, string Owner, DateTimeOffset LeaseUntil, string ETag);

/// <summary>
/// One work item (ledger row <c>item-{Index}</c>): the due-index entries of <see cref="On"/> whose pensioner id is
/// after <see cref="After"/> (exclusive; empty = from the start) and up to <see cref="Through"/> (inclusive; null = to
/// the end). The ranges of a date's items cover every key, so an entry added after planning still falls into one.
/// </summary>
/// <param name="On">The China date.</param>
/// <param name="Owner">The timer run whose plan the item belongs to (an item of a lapsed plan is never worked).</param>
/// <param name="Index">Position in the plan (0 .. ItemCount - 1).</param>
/// <param name="After">Exclusive lower pensioner-id bound (empty: from the first).</param>
/// <param name="Through">Inclusive upper bound (null: to the last).</param>
public sealed record CycleScanItem(DateOnly On, string Owner, int Index, string After, string? Through)
{
    public CycleScanItemState State { get; init; } = CycleScanItemState.Pending;

    /// <summary>Times the timer enqueued this item again after it was Poisoned.</summary>
    public int Retries { get; init; }

    /// <summary>Pensioners processed (last run of the item).</summary>
    public int Processed { get; init; }

    /// <summary>Pensioners recorded as cycle exceptions (last run of the item).</summary>
    public int Failed { get; init; }

    /// <summary>When the item was last enqueued.</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>When the last worked delivery began (written with Done: no extra request).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the item was last Done, Poisoned or Skipped.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Concurrency token (empty for an item not stored yet).</summary>
    public string ETag { get; init; } = "";
}

/// <summary>The queue message of one work item: <c>{"date":"2024-01-02","plan":"3f…","item":3,"traceparent":"00-…"}</c>.</summary>
/// <param name="Date">The China date, <c>yyyy-MM-dd</c>.</param>
/// <param name="Plan">The owner of the plan the item belongs to.</param>
/// <param name="Item">The item index.</param>
/// <param name="TraceParent">The W3C trace context of the timer run that enqueued it.</param>
public sealed record CycleScanItemMessage(string Date, string Plan, int Item, string? TraceParent = null);

/// <summary>The per-date work-item ledger (table <see cref="Definitions.StorageNames.CycleScanItemsTable"/>).</summary>
public interface ICycleScanLedger
{
    /// <summary>The date's plan, or null when no run planned it yet.</summary>
    Task<CycleScanPlan?> GetPlanAsync(DateOnly on, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the date for planning: inserts the plan row (when <paramref name="expected"/> is null) or replaces a lapsed
    /// one (ETag-checked). Null when another run got there first.
    /// </summary>
    Task<CycleScanPlan?> TryHoldAsync(DateOnly on, string owner, DateTimeOffset leaseUntil, CycleScanPlan? expected, CancellationToken cancellationToken);

    /// <summary>Writes (replaces) work items of one date, in batches.</summary>
    Task WriteItemsAsync(DateOnly on, IReadOnlyList<CycleScanItem> items, CancellationToken cancellationToken);

    /// <summary>Sets the plan's state and counts (ETag-checked); the stored plan, or null when it changed meanwhile.</summary>
    Task<CycleScanPlan?> TryUpdatePlanAsync(CycleScanPlan plan, CancellationToken cancellationToken);

    /// <summary>Every work item of the date's plan by <paramref name="owner"/> (index order).</summary>
    Task<IReadOnlyList<CycleScanItem>> ListItemsAsync(DateOnly on, string owner, CancellationToken cancellationToken);

    /// <summary>One work item, or null.</summary>
    Task<CycleScanItem?> GetItemAsync(DateOnly on, string owner, int index, CancellationToken cancellationToken);

    /// <summary>Replaces a work item (ETag-checked); false when it changed or went meanwhile.</summary>
    Task<bool> TryUpdateItemAsync(CycleScanItem item, CancellationToken cancellationToken);
}

/// <summary>Sends work items to the queue trigger.</summary>
public interface ICycleScanItemQueue
{
    Task EnqueueAsync(CycleScanItemMessage message, CancellationToken cancellationToken);
}
