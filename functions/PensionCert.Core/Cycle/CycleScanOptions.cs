using System.ComponentModel.DataAnnotations;

namespace PensionCert.Core.Cycle;

/// <summary>How the daily scan fans out (section <c>PensionCert:CycleScan</c>).</summary>
public sealed class CycleScanOptions
{
    public const string SectionName = "PensionCert:CycleScan";

    /// <summary>
    /// Pensioners per work item (one queue message): a slice of a date's due-index partition. 200 by default; 100–500
    /// keeps an item well inside the function timeout while giving the platform enough messages to scale out on.
    /// </summary>
    [Range(1, 1000)]
    public int ItemSize { get; set; } = 200;

    /// <summary>Pensioners processed concurrently within one work item (and by the timer's retry of open cycle exceptions).</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 8;

    /// <summary>
    /// A work item still Pending this many minutes after it was last enqueued is enqueued again by the next timer run
    /// (its message was lost, e.g. a timer run crashed between planning and enqueueing). A duplicate message is harmless.
    /// </summary>
    [Range(1, 10080)]
    public int RequeueAfterMinutes { get; set; } = 30;

    /// <summary>
    /// How many times the timer enqueues a Poisoned work item again (one retry per run) before it skips it: the item's
    /// pensioners are then recorded as cycle exceptions (the operator's list, retried by every run) and the date completes.
    /// </summary>
    [Range(0, 10)]
    public int PoisonedItemRetries { get; set; } = 1;

    /// <summary>How long a timer run holds a date while it writes the date's work items (a crashed run's hold lapses after this).</summary>
    [Range(1, 60)]
    public int PlanLeaseMinutes { get; set; } = 5;
}
