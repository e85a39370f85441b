using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>Outcome of <see cref="ICycleStore.SaveAsync(PensionerProfile, IReadOnlyList{CycleEvent}, CancellationToken)"/>.</summary>
public enum CycleSaveResult
{
    /// <summary>The profile and its outbox rows were written in one transaction.</summary>
    Saved,

    /// <summary>An outbox row with one of the event ids already exists: this change was recorded before; nothing was written.</summary>
    AlreadyRecorded,
}

/// <summary>The scan's stored watermark: the last China date whose due-index partition was fully processed.</summary>
/// <param name="LastCompletedOn">Last completed China date.</param>
/// <param name="ETag">Concurrency token.</param>
public sealed record ScanWatermark(DateOnly LastCompletedOn, string ETag);

/// <summary>
/// Cycle storage: pensioner state changes with their outbox rows in one transaction (same partition as the profile),
/// the due-date index (partition = China date) and the scan watermark.
/// </summary>
public interface ICycleStore
{
    /// <summary>
    /// Replaces the profile (ETag must match) and inserts one outbox row per event, atomically. The outbox row key is
    /// the event id, so it is also the insert-if-absent marker of the effect: if any row exists, nothing is written.
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">The profile changed meanwhile (reread and retry).</exception>
    Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<CycleEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="SaveAsync(PensionerProfile, IReadOnlyList{CycleEvent}, CancellationToken)"/> with a certification's
    /// <paramref name="rows"/> (its decision, its failed-attempt row) in the same transaction.
    /// </summary>
    Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<CycleEvent> events, CertificationRows? rows, CancellationToken cancellationToken) =>
        rows is null ? SaveAsync(profile, events, cancellationToken) : throw new NotSupportedException("This store cannot write certification rows with a cycle change.");

    /// <summary>Adds (or keeps) the pensioner in the due index under <paramref name="on"/>.</summary>
    Task ScheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken);

    /// <summary>Removes the pensioner from the due index partition <paramref name="on"/> (no error if absent).</summary>
    Task UnscheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken);

    /// <summary>The pensioner ids in due index partition <paramref name="on"/> (one partition read, paged).</summary>
    IAsyncEnumerable<string> ListDueAsync(DateOnly on, CancellationToken cancellationToken);

    /// <summary>
    /// The pensioner ids in due index partition <paramref name="on"/> after <paramref name="after"/> (exclusive; empty:
    /// from the first) and up to <paramref name="through"/> (inclusive; null: to the last), in key order: one work item.
    /// </summary>
    async IAsyncEnumerable<string> ListDueRangeAsync(DateOnly on, string after, string? through, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var id in ListDueAsync(on, cancellationToken))
            if (string.CompareOrdinal(id, after) > 0 && (through is null || string.CompareOrdinal(id, through) <= 0))
                yield return id;
    }

    /// <summary>Reads the watermark, or null before the first run.</summary>
    Task<ScanWatermark?> GetWatermarkAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The earliest date that has an entry in the due index, or null when it has none. The first scan (no watermark
    /// yet) starts there, so pensioners scheduled before the first run are not left behind it for good.
    /// </summary>
    Task<DateOnly?> GetEarliestDueDateAsync(CancellationToken cancellationToken) => Task.FromResult<DateOnly?>(null);

    /// <summary>Sets the watermark if <paramref name="expected"/> is still current (null: must not exist); false when another run moved it.</summary>
    Task<bool> TryAdvanceWatermarkAsync(DateOnly completedOn, ScanWatermark? expected, CancellationToken cancellationToken);
}

/// <summary>A pending outbox row's pointer (in the outbox index), written before the state-change transaction.</summary>
/// <param name="EventId">The event id.</param>
/// <param name="PensionerId">The partition holding the outbox row.</param>
/// <param name="CreatedAt">When the pointer was written.</param>
public sealed record OutboxPointer(string EventId, string PensionerId, DateTimeOffset CreatedAt)
{
    /// <summary>Order within the transaction that wrote the event.</summary>
    public int Sequence { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the span that wrote the event (the dispatcher continues that trace), or null.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>An outbox row.</summary>
/// <param name="Event">The event.</param>
/// <param name="SentAt">When it was published, or null while pending.</param>
/// <param name="ETag">Concurrency token.</param>
public sealed record OutboxEntry(CycleEvent Event, DateTimeOffset? SentAt, string ETag)
{
    /// <summary>
    /// An audit entry stored with the event in the same transaction as the change it audits (a kept live reference,
    /// <see cref="CertificationRows.Audit"/>); the dispatcher appends it to the audit log before it publishes the event.
    /// Not part of the published event.
    /// </summary>
    public Audit.AuditEntry? Audit { get; init; }
}

/// <summary>A dispatcher's claim on one outbox pointer partition, until <paramref name="ExpiresAt"/> unless released.</summary>
/// <param name="Partition">The pointer partition (0 .. <see cref="IOutboxStore.PartitionCount"/> - 1).</param>
/// <param name="Owner">The claiming dispatcher run.</param>
/// <param name="ExpiresAt">When the claim lapses (a crashed dispatcher's claim is taken over after this).</param>
/// <param name="ETag">Concurrency token of the claim row.</param>
public sealed record OutboxLease(int Partition, string Owner, DateTimeOffset ExpiresAt, string ETag);

/// <summary>The transactional outbox as the dispatcher sees it.</summary>
public interface IOutboxStore
{
    /// <summary>How many pointer partitions there are; each is dispatched by one dispatcher at a time.</summary>
    int PartitionCount { get; }

    /// <summary>
    /// Claims pointer partition <paramref name="partition"/> for <paramref name="owner"/> until now + <paramref name="duration"/>
    /// (ETag-checked: of two dispatchers claiming at once, one wins); null when another dispatcher holds an unexpired claim.
    /// </summary>
    Task<OutboxLease?> TryClaimAsync(int partition, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Ends a claim early (no error when it lapsed and another dispatcher took it over).</summary>
    Task ReleaseAsync(OutboxLease lease, CancellationToken cancellationToken);

    /// <summary>Every pending pointer of the given partitions (a few small partitions).</summary>
    IAsyncEnumerable<OutboxPointer> ListPendingAsync(IReadOnlyCollection<int> partitions, CancellationToken cancellationToken);

    /// <summary>Reads the outbox row a pointer refers to, or null when the transaction never happened.</summary>
    Task<OutboxEntry?> GetAsync(OutboxPointer pointer, CancellationToken cancellationToken);

    /// <summary>Marks the row sent (ETag-checked; a concurrent dispatcher that already did is not an error).</summary>
    /// <returns>False when the row no longer exists: the pensioner was erased meanwhile (nothing is written).</returns>
    Task<bool> MarkSentAsync(OutboxEntry entry, DateTimeOffset sentAt, CancellationToken cancellationToken);

    /// <summary>Deletes every pending pointer of <paramref name="pensionerId"/> (erasure); returns how many.</summary>
    Task<int> RemovePointersForPensionerAsync(string pensionerId, CancellationToken cancellationToken);

    /// <summary>Deletes a pointer (no error if absent).</summary>
    Task RemovePointerAsync(OutboxPointer pointer, CancellationToken cancellationToken);
}

/// <summary>One pensioner in a region's operator list.</summary>
/// <param name="PensionerId">The pensioner.</param>
/// <param name="State">State after the last event.</param>
/// <param name="ValidUntil">Last valid day of the cycle.</param>
/// <param name="Since">Business date of the last change.</param>
/// <param name="PreferredChannel">Preferred channel, if known.</param>
public sealed record RegionPensioner(string PensionerId, EligibilityState State, DateOnly? ValidUntil, DateOnly Since, string? PreferredChannel);

/// <summary>A page of results with an opaque continuation token (null on the last page).</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>One payroll change.</summary>
/// <param name="PensionerId">The pensioner.</param>
/// <param name="Kind">suspended, resumed or stopped.</param>
/// <param name="EffectiveOn">Business date of the change.</param>
/// <param name="StopFromMonth">First month not paid (suspended, stopped).</param>
/// <param name="ResumeFromMonth">First month paid again (resumed).</param>
/// <param name="BackPayMonths">Months to back-pay (resumed).</param>
/// <param name="DateOfDeath">Date of death (stopped).</param>
/// <param name="EventId">The event behind the change.</param>
public sealed record PaymentChange(string PensionerId, string Kind, DateOnly EffectiveOn, string? StopFromMonth, string? ResumeFromMonth, IReadOnlyList<string> BackPayMonths, DateOnly? DateOfDeath, string EventId);

/// <summary>
/// Read models projected from the outbox by the dispatcher (idempotently, keyed by event id): the region operator
/// list and the monthly payroll changes.
/// </summary>
public interface ICycleReadModel
{
    /// <summary>Applies one event (upserts; an older event never overwrites a newer state).</summary>
    Task ProjectAsync(CycleEvent cycleEvent, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the pensioners in <paramref name="state"/> whose region code starts with <paramref name="regionPrefix"/>
    /// (2, 4 or 6 digits). The continuation token is opaque; one this store did not issue for that prefix is refused
    /// with <c>invalid-continuation-token</c>.
    /// </summary>
    Task<ResultPage<RegionPensioner>> ListByStateAsync(string regionPrefix, EligibilityState state, string? continuationToken, int pageSize, CancellationToken cancellationToken);

    /// <summary>The payment changes recorded for a region in a month (one partition).</summary>
    Task<IReadOnlyList<PaymentChange>> ListPaymentChangesAsync(string regionCode, DateOnly month, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the pensioner's row in the region list and every payment change of the pensioner in the region
    /// (erasure; also the dispatcher's undo of a projection whose outbox row was erased meanwhile). Returns how many.
    /// </summary>
    Task<int> RemovePensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes only the pensioner's row in the region list (erasure): the payment changes already issued to payroll stay
    /// (payroll's record; they hold the opaque pensioner id, dates and the kind of change, no other personal data).
    /// Returns how many rows went (0 or 1).
    /// </summary>
    Task<int> RemoveFromRegionListAsync(string regionCode, string pensionerId, CancellationToken cancellationToken);
}
