using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Errors;
using PensionCert.Core.Events;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>The outcome of a cycle command.</summary>
public enum CycleCommandResult
{
    /// <summary>The change was recorded with its events.</summary>
    Applied,

    /// <summary>The same change was recorded before (idempotent repeat); nothing changed.</summary>
    AlreadyApplied,

    /// <summary>The evidence or certification is not newer than the last certification.</summary>
    Stale,

    /// <summary>The pensioner is deceased or transferred: nothing changes any more.</summary>
    Inactive,

    /// <summary>No such pensioner.</summary>
    NotFound,

    /// <summary>
    /// The hold was not opened: the pensioner already has <see cref="CycleService.MaxOpenHolds"/> open holds (which
    /// forbid suspension just the same). Nothing was written.
    /// </summary>
    HoldLimitReached,

    /// <summary>Not applied: the record conflicts with a certification of the same day or later (or one still open); a review case decides.</summary>
    ReviewRequired,
}

/// <summary>Where a certification came from, for <see cref="CycleService.RecordCertifiedAsync(string, DateTimeOffset, CertificationOrigin, System.Threading.CancellationToken)"/>.</summary>
/// <param name="Channel">Wire name of the channel (e.g. <c>wechat</c>, <c>home-visit</c>, <c>data-comparison</c>).</param>
/// <param name="CertificationId">The certification record, for face certifications.</param>
/// <param name="EvidenceType">Evidence type, for silent certifications.</param>
/// <param name="EvidenceSource">Evidence source, for silent certifications.</param>
public sealed record CertificationOrigin(string Channel, string? CertificationId = null, string? EvidenceType = null, string? EvidenceSource = null)
{
    /// <summary>Family-assisted certification: the helper id (carried on certification.approved).</summary>
    public string? AssistedBy { get; init; }

    /// <summary>The channel of data-comparison (silent) certification.</summary>
    public const string DataComparisonChannel = "data-comparison";

    /// <summary>True for data-comparison certifications (event certification.silent).</summary>
    public bool IsSilent => Channel == DataComparisonChannel;

    /// <summary>Who decided a face certification (<c>worker</c> or <c>review</c>), carried in certification.approved.</summary>
    public string? DecisionSource { get; init; }
}

/// <summary>What an operator records at the end of (or during) an investigation.</summary>
public enum InvestigationOutcome
{
    /// <summary>Eligibility lost is confirmed: suspend payment (refused while a hold is open).</summary>
    Suspend,

    /// <summary>The pensioner was seen alive (call, counter, home visit): a certification with channel home-visit.</summary>
    Certified,

    /// <summary>A home visit is requested: a hold that forbids suspension until closed.</summary>
    HomeVisitRequested,

    /// <summary>The home visit is done without a decision: the hold closes.</summary>
    HomeVisitClosed,
}

/// <summary>
/// The annual cycle's state changes. Every change is one transaction in the pensioner's partition: the profile and
/// the outbox rows of its events (deterministic ids, so a retried change is recognised and writes nothing). After
/// the change the pensioner is (re)placed in the due-date index at the next date anything is due.
/// </summary>
public sealed partial class CycleService(
    IPensionerRepository pensioners,
    ICycleStore store,
    IOptions<CyclePolicyOptions> options,
    TimeProvider timeProvider,
    ILogger<CycleService> logger)
{
    private const int MaxAttempts = 6;

    /// <summary>The effective policy of a region.</summary>
    public CyclePolicy PolicyFor(string regionCode) => options.Value.For(regionCode);

    /// <summary>Places a (new) pensioner in the due-date index at their next action date.</summary>
    public Task ScheduleAsync(PensionerProfile profile, CancellationToken cancellationToken) =>
        ScheduleNextAsync(profile, ChinaTime.Today(timeProvider), cancellationToken);

    /// <summary>
    /// Records a certification at <paramref name="certifiedAt"/>: restarts the year (valid-until by the region's
    /// window), closes an open investigation, resumes a suspended payment (from the next month, back-paying the
    /// suspended months unless the region switches back-pay off), and emits certification.approved (face and
    /// operator channels) or certification.silent (data comparison). Idempotent; an older certification is Stale.
    /// </summary>
    public Task<CycleCommandResult> RecordCertifiedAsync(string pensionerId, DateTimeOffset certifiedAt, CertificationOrigin origin, CancellationToken cancellationToken) =>
        RecordCertifiedAsync(pensionerId, certifiedAt, origin, null, null, null, cancellationToken);

    /// <summary>
    /// <see cref="RecordCertifiedAsync(string, DateTimeOffset, CertificationOrigin, CancellationToken)"/> starting from
    /// <paramref name="current"/> (the profile the caller just read, with its ETag: no second read; a profile changed
    /// meanwhile fails the write by its ETag and is read again), and with <paramref name="amend"/> applied to the
    /// certified profile and the certification's <paramref name="rows"/> written in the same transaction (a live
    /// reference kept by the worker; the worker's decision).
    /// </summary>
    public Task<CycleCommandResult> RecordCertifiedAsync(string pensionerId, DateTimeOffset certifiedAt, CertificationOrigin origin,
        PensionerProfile? current, Func<PensionerProfile, PensionerProfile>? amend, CertificationRows? rows, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, current, rows, (p, policy, now, today) =>
        {
            if (p.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) return Decision.Skip(CycleCommandResult.Inactive);
            var certifiedOn = ChinaTime.ToChinaDate(certifiedAt);
            if (p.LastCertifiedAt is { } last)
            {
                var lastOn = ChinaTime.ToChinaDate(last);
                if (origin.IsSilent ? certifiedOn < lastOn : certifiedAt < last) return Decision.Skip(CycleCommandResult.Stale);
                if (origin.IsSilent ? certifiedOn == lastOn : certifiedAt == last) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            }
            var validUntil = CycleCalendar.ValidUntil(policy.Window, certifiedOn, p.BirthMonth);
            var updated = (amend?.Invoke(p) ?? p) with
            {
                LastCertifiedAt = certifiedAt,
                ValidUntil = validUntil,
                Standing = PensionerStanding.Active,
                InvestigationOpenedOn = null,
                SuspendedOn = null,
                OpenHolds = [],
                PreferredChannel = origin.IsSilent ? p.PreferredChannel : origin.Channel,
            };
            var state = EligibilityRules.StateOn(today, PensionerStanding.Active, certifiedOn, validUntil, policy.DueSoonDays).ToString();
            var key = origin.CertificationId ?? Date(certifiedOn);
            var events = new List<(string Type, string Key, CycleEventData Data)>
            {
                (origin.IsSilent ? EventTypes.CertificationSilent : EventTypes.CertificationApproved, key, Data(updated, state, certifiedOn) with
                {
                    Channel = origin.Channel,
                    CertificationId = origin.CertificationId,
                    EvidenceType = origin.EvidenceType,
                    EvidenceSource = origin.EvidenceSource,
                    DecisionSource = origin.DecisionSource,
                    Guidance = origin.IsSilent ? null : Certification.Guidance.None,
                    AssistedBy = origin.AssistedBy,
                }),
            };
            // A live certification while a death report is open is not ignored: the case's reviewers are told at once;
            // the payment stays held until an admin decides (a relative holding up a photo must not end the hold).
            if (p.DeathReportCaseId is { } reportCase)
                events.Add((EventTypes.ReviewDeathReportContested, reportCase + "/" + key, Data(updated, state, today) with
                {
                    ReviewCaseId = reportCase,
                    CertificationId = origin.CertificationId,
                    Channel = origin.Channel,
                    Reason = "live-certification",
                }));
            if (p.Standing == PensionerStanding.UnderInvestigation)
                events.Add((EventTypes.InvestigationClosed, key, Data(updated, state, today) with { Reason = "certified" }));
            if (p.Standing == PensionerStanding.Suspended)
            {
                // Payment resumes from the month after the resumption is recorded; the unpaid months are the month of
                // suspension through the month of resumption.
                var suspendedOn = p.SuspendedOn ?? today;
                events.Add((EventTypes.PaymentResumed, key, Data(updated, state, today) with
                {
                    ResumeFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(today).AddMonths(1)),
                    BackPayMonths = policy.BackPay ? CycleCalendar.MonthsBetween(suspendedOn, today) : [],
                    Reason = policy.BackPay ? "certified" : "certified-no-back-pay",
                }));
            }
            return Decision.Apply(updated, events);
        }, cancellationToken);

    /// <summary>
    /// Marks the pensioner deceased on <paramref name="dateOfDeath"/>: stops reminders and the cycle, emits
    /// pensioner.deceased and payment.stopped (pension is paid through the month of death; payment stops from the
    /// next month, and payroll recovers anything paid after). Idempotent.
    /// </summary>
    /// <remarks>
    /// A date of death on or before the day of the last certification is not applied (result <see cref="CycleCommandResult.ReviewRequired"/>):
    /// the caller opens a review case, and only a reviewer's approval applies it (<paramref name="confirmedByReview"/>).
    /// </remarks>
    /// <exception cref="ProblemException">date-in-future, date-before-birth, date-before-enrollment.</exception>
    public Task<CycleCommandResult> MarkDeceasedAsync(string pensionerId, DateOnly dateOfDeath, string source, CancellationToken cancellationToken, bool confirmedByReview = false) =>
        ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            RecordDates.Require(p, dateOfDeath, today);
            if (p.Standing == PensionerStanding.Deceased) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            if (p.Standing == PensionerStanding.Transferred) return Decision.Skip(CycleCommandResult.Inactive);
            // A certification on the day of death or later contradicts the record (a face shown to a camera that day may be
            // before or after the death; the record alone cannot tell): a review decides.
            if (!confirmedByReview && p.LastCertifiedAt is { } last && ChinaTime.ToChinaDate(last) >= dateOfDeath) return Decision.Skip(CycleCommandResult.ReviewRequired);
            var updated = p with { Standing = PensionerStanding.Deceased, EndedOn = dateOfDeath, OpenHolds = [], DeathReportCaseId = null, PaymentHeldOn = null };
            var state = nameof(EligibilityState.Deceased);
            var key = Date(dateOfDeath);
            return Decision.Apply(updated,
            [
                (EventTypes.PensionerDeceased, key, Data(updated, state, today) with { DateOfDeath = dateOfDeath, EvidenceSource = source }),
                (EventTypes.PaymentStopped, key, Data(updated, state, today) with
                {
                    DateOfDeath = dateOfDeath,
                    StopFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(dateOfDeath).AddMonths(1)),
                    Reason = "deceased",
                }),
            ]);
        }, cancellationToken);

    /// <summary>Marks the pension transferred out on <paramref name="transferredOn"/>: everything stops here; payment.stopped from the next month.</summary>
    /// <exception cref="ProblemException">date-in-future, date-before-birth, date-before-enrollment.</exception>
    public Task<CycleCommandResult> MarkTransferredAsync(string pensionerId, DateOnly transferredOn, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            RecordDates.Require(p, transferredOn, today);
            if (p.Standing == PensionerStanding.Transferred) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            if (p.Standing == PensionerStanding.Deceased) return Decision.Skip(CycleCommandResult.Inactive);
            var updated = p with { Standing = PensionerStanding.Transferred, EndedOn = transferredOn, OpenHolds = [], DeathReportCaseId = null, PaymentHeldOn = null };
            var state = nameof(EligibilityState.Transferred);
            var key = Date(transferredOn);
            return Decision.Apply(updated,
            [
                (EventTypes.PensionerTransferred, key, Data(updated, state, today) with { TransferredOn = transferredOn }),
                (EventTypes.PaymentStopped, key, Data(updated, state, today) with
                {
                    TransferredOn = transferredOn,
                    StopFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(transferredOn).AddMonths(1)),
                    Reason = "transferred",
                }),
            ]);
        }, cancellationToken);

    /// <summary>
    /// Records an operator's investigation outcome (see <see cref="InvestigationOutcome"/>). Suspension needs an open
    /// investigation (or an overdue pensioner) and no open hold.
    /// </summary>
    /// <exception cref="ProblemException">pensioner-not-found, pensioner-inactive, no-open-investigation, suspension-held.</exception>
    public async Task<CycleCommandResult> RecordInvestigationOutcomeAsync(string pensionerId, InvestigationOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome == InvestigationOutcome.Certified)
        {
            var certified = await RecordCertifiedAsync(pensionerId, timeProvider.GetUtcNow(), new CertificationOrigin("home-visit"), cancellationToken);
            return certified switch
            {
                CycleCommandResult.NotFound => throw new ProblemException(ProblemTypes.PensionerNotFound),
                CycleCommandResult.Inactive => throw new ProblemException(ProblemTypes.PensionerInactive),
                _ => certified,
            };
        }
        var result = await ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            if (p.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) throw new ProblemException(ProblemTypes.PensionerInactive);
            var overdue = p.Standing == PensionerStanding.Active && p.ValidUntil is { } v && today > v;
            if (p.Standing != PensionerStanding.UnderInvestigation && !overdue)
            {
                if (outcome == InvestigationOutcome.Suspend && p.Standing == PensionerStanding.Suspended) return Decision.Skip(CycleCommandResult.AlreadyApplied);
                throw new ProblemException(ProblemTypes.NoOpenInvestigation);
            }
            var cycleKey = Date(p.ValidUntil ?? today);
            switch (outcome)
            {
                case InvestigationOutcome.Suspend:
                    if (p.OpenHolds.Count > 0) throw new ProblemException(ProblemTypes.SuspensionHeld);
                    var suspended = p with { Standing = PensionerStanding.Suspended, SuspendedOn = today };
                    return Decision.Apply(suspended,
                    [
                        (EventTypes.PaymentSuspended, cycleKey, Data(suspended, nameof(EligibilityState.Suspended), today) with
                        {
                            StopFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(today)),
                            Reason = "operator-confirmed",
                        }),
                    ]);
                case InvestigationOutcome.HomeVisitRequested:
                    if (p.OpenHolds.Contains(HomeVisitHold)) return Decision.Skip(CycleCommandResult.AlreadyApplied);
                    if (p.OpenHolds.Count >= MaxOpenHolds) throw new ProblemException(ProblemTypes.TooManyOpenHolds);
                    var held = p with { OpenHolds = [.. p.OpenHolds, HomeVisitHold] };
                    return Decision.Apply(held,
                    [
                        (EventTypes.HomeVisitRequested, cycleKey + "/" + Date(today), Data(held, StateOf(held, policy, today), today)),
                    ]);
                default:
                    if (!p.OpenHolds.Contains(HomeVisitHold)) return Decision.Skip(CycleCommandResult.AlreadyApplied);
                    return Decision.Apply(p with { OpenHolds = p.OpenHolds.Where(h => h != HomeVisitHold).ToArray() }, []);
            }
        }, cancellationToken);
        return result == CycleCommandResult.NotFound ? throw new ProblemException(ProblemTypes.PensionerNotFound) : result;
    }

    /// <summary>The hold an open home-visit request places on suspension.</summary>
    public const string HomeVisitHold = "home-visit";

    /// <summary>The hold an open review of certification <paramref name="certificationId"/> places on suspension.</summary>
    public static string ReviewHold(string certificationId) => "review:" + certificationId;

    /// <summary>
    /// Most holds a pensioner may have open at once (100). The holds are kept in one property of the profile row, so
    /// without a bound a pensioner with hundreds of open reviews would pass the 64 KB property limit and every later
    /// write of that pensioner would fail; at the bound a further hold is refused (<see cref="CycleCommandResult.HoldLimitReached"/>,
    /// or 409 <c>too-many-open-holds</c> for an operator) while the open ones still forbid suspension. 100 holds take
    /// about 4 KB.
    /// </summary>
    public const int MaxOpenHolds = 100;

    /// <summary>
    /// Opens or closes a hold (e.g. a review) without an event; idempotent. Opening a hold beyond
    /// <see cref="MaxOpenHolds"/> writes nothing and answers <see cref="CycleCommandResult.HoldLimitReached"/>.
    /// </summary>
    public Task<CycleCommandResult> SetHoldAsync(string pensionerId, string hold, bool open, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, (p, policy, now, today) =>
        {
            if (p.OpenHolds.Contains(hold) == open) return Decision.Skip(CycleCommandResult.AlreadyApplied);
            if (open && p.OpenHolds.Count >= MaxOpenHolds)
            {
                LogHoldLimit(logger, pensionerId, p.OpenHolds.Count);
                return Decision.Skip(CycleCommandResult.HoldLimitReached);
            }
            return Decision.Apply(p with { OpenHolds = open ? [.. p.OpenHolds, hold] : p.OpenHolds.Where(h => h != hold).ToArray() }, []);
        }, cancellationToken);

    /// <summary>
    /// Removes the pensioner from the due-date index (erasure) at every date the current cycle can have placed them:
    /// each reminder date, the overdue date and the automatic-suspension date of <paramref name="profile"/>'s last
    /// valid day, and today and tomorrow (the earliest date a change schedules). Point deletes only, no scan. An entry
    /// planned from an earlier state carries only the opaque id and is dropped by the daily scan on its date (the
    /// scan unschedules ids without a profile). Returns the dates tried.
    /// </summary>
    public async Task<int> UnscheduleAllAsync(PensionerProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var policy = options.Value.For(profile.RegionCode);
        var today = ChinaTime.Today(timeProvider);
        var dates = new HashSet<DateOnly> { today, today.AddDays(1) };
        if (profile.ValidUntil is { } validUntil)
        {
            foreach (var days in policy.ReminderDaysBefore) dates.Add(validUntil.AddDays(-days));
            dates.Add(validUntil.AddDays(1));
            dates.Add(CyclePlanner.AutoSuspendOn(validUntil, policy));
        }
        if (CyclePlanner.NextActionOn(profile, policy, today) is { } next) dates.Add(next);
        foreach (var on in dates.Where(d => d >= today))
            await store.UnscheduleAsync(on, profile.PensionerId, cancellationToken);
        return dates.Count;
    }

    /// <summary>
    /// The daily scan's work for one pensioner found in due-index partition <paramref name="asOf"/>: applies every
    /// effect due (each at most once, by its outbox marker), moves the index entry to the next action date, and
    /// removes it from <paramref name="asOf"/>. Returns the number of effects recorded by this call.
    /// </summary>
    public async Task<int> ProcessDueAsync(string pensionerId, DateOnly asOf, CancellationToken cancellationToken)
    {
        var applied = 0;
        for (var attempt = 1; ; attempt++)
        {
            var profile = await pensioners.GetAsync(pensionerId, cancellationToken);
            if (profile is null) break;
            var policy = options.Value.For(profile.RegionCode);
            var effect = CyclePlanner.DueEffect(profile, policy, asOf);
            if (effect is null)
            {
                if (CyclePlanner.NextActionOn(profile, policy, asOf) is { } next)
                    await store.ScheduleAsync(next, pensionerId, cancellationToken);
                break;
            }
            var (updated, events) = Effect(profile, policy, effect, asOf);
            try
            {
                var result = await store.SaveAsync(updated, events, cancellationToken);
                if (result == CycleSaveResult.Saved)
                {
                    applied++;
                    LogEffect(logger, pensionerId, effect.Kind, Date(asOf));
                }
                if (effect.Kind == CycleEffectKind.Reminder)
                {
                    // A reminder changes no standing: continue from the profile as it is.
                    if (CyclePlanner.NextActionOn(profile, policy, asOf) is { } next)
                        await store.ScheduleAsync(next, pensionerId, cancellationToken);
                    break;
                }
                // Overdue or suspension changed the standing: reread and see whether anything else is due.
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
            }
            if (attempt >= MaxAttempts) break;
        }
        await store.UnscheduleAsync(asOf, pensionerId, cancellationToken);
        return applied;
    }

    private (PensionerProfile Updated, IReadOnlyList<CycleEvent> Events) Effect(PensionerProfile p, CyclePolicy policy, CycleEffect effect, DateOnly asOf)
    {
        var validUntil = p.ValidUntil!.Value;
        var cycleKey = Date(validUntil);
        switch (effect.Kind)
        {
            case CycleEffectKind.Reminder:
                return (p, Build(p, [(EventTypes.CertificationDueSoon, $"{cycleKey}/{effect.DaysBefore}", Data(p, nameof(EligibilityState.DueSoon), asOf) with { DaysBefore = effect.DaysBefore })]));
            case CycleEffectKind.Overdue:
                var investigated = p with { Standing = PensionerStanding.UnderInvestigation, InvestigationOpenedOn = asOf };
                return (investigated, Build(investigated,
                [
                    (EventTypes.CertificationOverdue, cycleKey, Data(investigated, nameof(EligibilityState.Overdue), asOf)),
                    (EventTypes.InvestigationOpened, cycleKey, Data(investigated, nameof(EligibilityState.UnderInvestigation), asOf)),
                ]));
            default:
                var suspended = p with { Standing = PensionerStanding.Suspended, SuspendedOn = asOf };
                return (suspended, Build(suspended,
                [
                    (EventTypes.PaymentSuspended, cycleKey, Data(suspended, nameof(EligibilityState.Suspended), asOf) with
                    {
                        StopFromMonth = CycleCalendar.FormatMonth(CycleCalendar.MonthOf(asOf)),
                        Reason = "auto-suspend",
                    }),
                ]));
        }
    }

    private delegate Decision Decide(PensionerProfile profile, CyclePolicy policy, DateTimeOffset now, DateOnly today);

    private sealed record Decision(CycleCommandResult? SkipResult, PensionerProfile? Updated, IReadOnlyList<(string Type, string Key, CycleEventData Data)> Events)
    {
        public static Decision Skip(CycleCommandResult result) => new(result, null, []);

        public static Decision Apply(PensionerProfile updated, IReadOnlyList<(string Type, string Key, CycleEventData Data)> events) => new(null, updated, events);
    }

    private Task<CycleCommandResult> ChangeAsync(string pensionerId, Decide decide, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, null, null, decide, cancellationToken);

    /// <summary>
    /// Reads the profile (or starts from <paramref name="current"/>, a profile the caller read with its ETag), decides,
    /// and writes the change in one transaction, conditional on the profile's ETag; a conflict reads again. A decision
    /// to skip made on <paramref name="current"/> is not covered by an ETag, so it is made again on a fresh read.
    /// <paramref name="rows"/> (a certification's decision and failed-attempt row) go into the same transaction.
    /// </summary>
    private async Task<CycleCommandResult> ChangeAsync(string pensionerId, PensionerProfile? current, CertificationRows? rows, Decide decide, CancellationToken cancellationToken)
    {
        var known = current is { ETag: not null } && current.PensionerId == pensionerId ? current : null;
        for (var attempt = 1; ; attempt++)
        {
            var profile = known ?? (Ids.IsPensionerId(pensionerId) ? await pensioners.GetAsync(pensionerId, cancellationToken) : null);
            var fromCaller = known is not null;
            known = null;
            if (profile is null) return CycleCommandResult.NotFound;
            var policy = options.Value.For(profile.RegionCode);
            var now = timeProvider.GetUtcNow();
            var today = ChinaTime.ToChinaDate(now);
            var decision = decide(profile, policy, now, today);
            if (decision.SkipResult is not null && fromCaller)
            {
                attempt--;
                continue;
            }
            if (decision.SkipResult is { } skipped)
            {
                // A repeat (typically the retry of a change whose response was lost) also finishes what the first
                // attempt may not have reached: placing the pensioner at their next action date (an idempotent upsert).
                if (skipped == CycleCommandResult.AlreadyApplied) await ScheduleNextAsync(profile, today, cancellationToken);
                return skipped;
            }
            var updated = decision.Updated!;
            // A certification's final status rides only on the profile the caller read (with it the caller counted what
            // its decision depends on); on a profile read again only the intent goes, and the caller writes the status.
            var attemptRows = rows is { Decided: not null } && !fromCaller ? rows with { Decided = null } : rows;
            var decisionRides = attemptRows?.Decided is not null;
            try
            {
                var result = await store.SaveAsync(updated, Build(updated, decision.Events, now), attemptRows, cancellationToken);
                if (result == CycleSaveResult.AlreadyRecorded)
                {
                    await ScheduleNextAsync(profile, today, cancellationToken);
                    return CycleCommandResult.AlreadyApplied;
                }
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                continue;
            }
            if (decisionRides) rows!.DecisionStored = true;
            // With the certification's final status stored, a crash before this is finished by the redelivery that finds
            // the certification decided (see CertificationDecisions.FinishDecidedAsync).
            await ScheduleNextAsync(updated, today, cancellationToken);
            return CycleCommandResult.Applied;
        }
    }

    /// <summary>
    /// Schedules the next action no earlier than tomorrow: today's partition may already have been scanned (the
    /// scan runs at 01:00 China time), and a date at or before the watermark would never be read.
    /// </summary>
    private async Task ScheduleNextAsync(PensionerProfile profile, DateOnly today, CancellationToken cancellationToken)
    {
        var policy = options.Value.For(profile.RegionCode);
        if (CyclePlanner.NextActionOn(profile, policy, today) is not { } next) return;
        var tomorrow = today.AddDays(1);
        await store.ScheduleAsync(next < tomorrow ? tomorrow : next, profile.PensionerId, cancellationToken);
    }

    private IReadOnlyList<CycleEvent> Build(PensionerProfile p, IReadOnlyList<(string Type, string Key, CycleEventData Data)> events) =>
        Build(p, events, timeProvider.GetUtcNow());

    private static IReadOnlyList<CycleEvent> Build(PensionerProfile p, IReadOnlyList<(string Type, string Key, CycleEventData Data)> events, DateTimeOffset now) =>
        events.Select((e, i) => new CycleEvent(EventIds.For(p.PensionerId, e.Type, e.Key), e.Type, now, i, e.Data)).ToArray();

    private static CycleEventData Data(PensionerProfile p, string state, DateOnly effectiveOn) => new()
    {
        PensionerId = p.PensionerId,
        RegionCode = p.RegionCode,
        PreferredChannel = p.PreferredChannel,
        State = state,
        EffectiveOn = effectiveOn,
        LastCertifiedOn = p.LastCertifiedAt is { } at ? ChinaTime.ToChinaDate(at) : null,
        ValidUntil = p.ValidUntil,
    };

    private static string StateOf(PensionerProfile p, CyclePolicy policy, DateOnly today) =>
        EligibilityRules.StateOn(today, p.Standing, p.LastCertifiedAt is { } at ? ChinaTime.ToChinaDate(at) : null, p.ValidUntil, policy.DueSoonDays).ToString();

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Pensioner {PensionerId} has {Count} open holds, the most allowed; a further hold was not opened")]
    private static partial void LogHoldLimit(ILogger logger, string pensionerId, int count);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Cycle effect {Kind} recorded for pensioner {PensionerId} on {Date}")]
    private static partial void LogEffect(ILogger logger, string pensionerId, CycleEffectKind kind, string date);
}
