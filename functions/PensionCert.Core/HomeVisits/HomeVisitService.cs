using System.Globalization;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Identity;
using PensionCert.Core.Offline;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Core.HomeVisits;

/// <summary>A home visit after a command, and whether the command was an idempotent replay.</summary>
public sealed record HomeVisitResult(HomeVisit Visit, bool Replayed, bool Created = false);

/// <summary>
/// Home visits (上门认证): request (client apps for the pensioner or family, or operators), schedule, complete with the
/// certification captured on the visit, cancel, or record an unsuccessful visit. Each change is saved with an ETag
/// check and then recorded on the pensioner (the hold on suspension and the change's event, idempotently), so a call
/// retried after a lost answer, with or without an <c>Idempotency-Key</c>, converges on one visit and one event per
/// change. Operators act only on visits of regions they serve.
/// </summary>
public sealed partial class HomeVisitService(
    IHomeVisitStore visits,
    IPensionerRepository pensioners,
    IIdNumberHasher hasher,
    ICertificationRepository certifications,
    CycleService cycle,
    Review.IReviewCaseStore reviewCases,
    OperationIdempotency idempotency,
    TimeProvider timeProvider,
    ILogger<HomeVisitService> logger)
{
    /// <summary>The review-case reason opened when staff find the pensioner deceased (payment is not stopped by it).</summary>
    public const string FoundDeceasedReviewReason = Review.ReviewReasons.HomeVisitFoundDeceased;

    private const int MaxAttempts = 5;

    /// <summary>
    /// Requests a visit. <paramref name="operator"/> is the operator for operator requests (region checked), null for
    /// client apps. One open visit per pensioner: a second is 409 <c>home-visit-already-open</c>.
    /// </summary>
    /// <exception cref="ProblemException">Validation (400), pensioner-not-found, region-not-served, pensioner-inactive, home-visit-already-open, idempotency-key-reused.</exception>
    public async Task<HomeVisitResult> RequestAsync(RequestHomeVisitCommand command, VisitRequester requester, OperatorPrincipal? @operator, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = timeProvider.GetUtcNow();
        var today = ChinaTime.ToChinaDate(now);
        var reason = HomeVisitValidation.RequireReason(command.Reason);
        var phone = HomeVisitValidation.RequirePhone(command.ContactPhone);
        var address = HomeVisitValidation.RequireAddress(command.Address);
        var dates = HomeVisitValidation.RequirePreferredDates(command.PreferredDates, today);
        var profile = await ResolvePensionerAsync(command.PensionerId, command.IdNumber, today, cancellationToken);
        if (@operator is not null && !@operator.Serves(profile.RegionCode)) throw ProblemException.OutsideRegions(profile.PensionerId);
        if (profile.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) throw new ProblemException(ProblemTypes.PensionerInactive);

        var fingerprint = string.Join('\n', "request", profile.PensionerId, reason, phone, address, string.Join(',', dates.Select(Date)));
        var ticket = await idempotency.ClaimAsync(requester.Kind + ":" + requester.Id, idempotencyKey, HomeVisitIds.New(profile.RegionCode), fingerprint, cancellationToken);
        if (ticket.IsReplay && await visits.GetAsync(ticket.ResourceId, cancellationToken) is { } earlier)
        {
            await AnnounceAsync(earlier, cancellationToken);
            return new HomeVisitResult(earlier, Replayed: true);
        }
        return await idempotency.ReleaseOnRefusalAsync(ticket, async () =>
        {
            var open = (await visits.ListForPensionerAsync(profile.RegionCode, profile.PensionerId, cancellationToken))
                .FirstOrDefault(v => v.IsOpen && v.VisitId != ticket.ResourceId);
            if (open is not null) throw new ProblemException(ProblemTypes.HomeVisitAlreadyOpen, $"已有尚未办结的上门认证申请：{open.VisitId}");
            var visit = new HomeVisit
            {
                VisitId = ticket.ResourceId,
                PensionerId = profile.PensionerId,
                RegionCode = profile.RegionCode,
                State = HomeVisitState.Requested,
                Reason = reason,
                ContactPhone = phone,
                Address = address,
                PreferredDates = dates,
                RequestedBy = requester,
                RequestedAt = now,
                UpdatedAt = now,
            };
            if (!await visits.TryCreateAsync(visit, cancellationToken))
                visit = await visits.GetAsync(visit.VisitId, cancellationToken) ?? throw new ConcurrencyConflictException("The visit vanished while it was created.");
            await AnnounceAsync(visit, cancellationToken);
            LogRequested(logger, visit.VisitId, visit.PensionerId, requester.Kind);
            return new HomeVisitResult(visit, ticket.IsReplay, Created: true);
        });
    }

    /// <summary>Reads a visit of a region the operator serves.</summary>
    /// <exception cref="ProblemException">home-visit-not-found, region-not-served.</exception>
    public async Task<HomeVisit> GetAsync(string visitId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        if (!HomeVisitIds.TryParse(visitId, out var region)) throw new ProblemException(ProblemTypes.HomeVisitNotFound);
        if (!@operator.Serves(region)) throw new ProblemException(ProblemTypes.RegionNotServed);
        return await visits.GetAsync(visitId, cancellationToken) ?? throw new ProblemException(ProblemTypes.HomeVisitNotFound);
    }

    /// <summary>Reads a visit for its requester's app (client key); the client route shows no contact data.</summary>
    /// <exception cref="ProblemException">home-visit-not-found.</exception>
    public async Task<HomeVisit> GetForClientAsync(string visitId, string clientId, CancellationToken cancellationToken)
    {
        var visit = HomeVisitIds.TryParse(visitId, out _) ? await visits.GetAsync(visitId, cancellationToken) : null;
        // A channel sees the requests it made, not those of another channel or of an operator (the reason is health data).
        return visit is not null && visit.RequestedBy.Kind != VisitRequester.Operator && visit.RequestedBy.Id == clientId
            ? visit : throw new ProblemException(ProblemTypes.HomeVisitNotFound);
    }

    /// <summary>
    /// One page of visits in <paramref name="regionCode"/> (a county, or every county of a prefecture or province
    /// code), filtered by state, scheduled date and staff. Without a region, the operator's only region.
    /// </summary>
    /// <exception cref="ProblemException">invalid-visit-filter, invalid-region-code, region-not-served, invalid-continuation-token.</exception>
    public Task<ResultPage<HomeVisit>> ListAsync(string? regionCode, string? state, string? date, string? staff, string? continuationToken, int? pageSize,
        OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        var region = string.IsNullOrWhiteSpace(regionCode)
            ? @operator.Regions.Count == 1 ? @operator.Regions[0] : throw new ProblemException(ProblemTypes.InvalidVisitFilter, "请指定 region（行政区划代码）。")
            : regionCode.Trim();
        if (!AdministrativeRegionCode.TryParse(region, out _)) throw new ProblemException(ProblemTypes.InvalidRegionCode);
        if (!@operator.Serves(region)) throw new ProblemException(ProblemTypes.RegionNotServed);
        HomeVisitState? stateFilter = null;
        if (!string.IsNullOrWhiteSpace(state))
            stateFilter = Enum.TryParse<HomeVisitState>(state.Trim(), ignoreCase: false, out var s) && Enum.IsDefined(s) && !int.TryParse(state, out _)
                ? s : throw new ProblemException(ProblemTypes.InvalidVisitFilter);
        DateOnly? on = null;
        if (!string.IsNullOrWhiteSpace(date))
            on = DateOnly.TryParseExact(date.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : throw new ProblemException(ProblemTypes.InvalidVisitFilter);
        var staffFilter = string.IsNullOrWhiteSpace(staff) ? null : HomeVisitValidation.RequireStaff(staff);
        var size = pageSize ?? 100;
        if (size is < 1) throw new ProblemException(ProblemTypes.InvalidVisitFilter);
        var prefix = region.EndsWith("0000", StringComparison.Ordinal) ? region[..2] : region.EndsWith("00", StringComparison.Ordinal) ? region[..4] : region;
        return visits.ListAsync(new HomeVisitQuery(prefix, stateFilter, on, staffFilter, string.IsNullOrEmpty(continuationToken) ? null : continuationToken, Math.Min(size, 500)), cancellationToken);
    }

    /// <summary>Schedules (or reschedules) a visit: a date from today up to 90 days ahead and the member of staff.</summary>
    public Task<HomeVisitResult> ScheduleAsync(string visitId, string? date, string? staff, OperatorPrincipal @operator, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var on = HomeVisitValidation.RequireVisitDate(date, ChinaTime.Today(timeProvider));
        var assigned = HomeVisitValidation.RequireStaff(staff);
        return ChangeAsync(visitId, @operator, idempotencyKey, $"schedule\n{Date(on)}\n{assigned}",
            (v, now, today) => Task.FromResult(v.Schedule(on, assigned, @operator.Subject, today, now)), cancellationToken);
    }

    /// <summary>
    /// Completes a Scheduled visit with the certification captured on it (channel home-visit, this visit's id) once it is
    /// decided Approved or NeedsReview; 409 certification-not-decided (Retry-After 1 s) while it is still pending.
    /// </summary>
    public Task<HomeVisitResult> CompleteAsync(string visitId, string? certificationId, OperatorPrincipal @operator, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var id = certificationId?.Trim();
        if (!Ids.IsCertificationId(id)) throw new ProblemException(ProblemTypes.CertificationNotFound);
        return ChangeAsync(visitId, @operator, idempotencyKey, $"complete\n{id}", async (v, now, today) =>
        {
            var record = await certifications.GetAsync(id!, cancellationToken) ?? throw new ProblemException(ProblemTypes.CertificationNotFound);
            var change = v.Complete(record, @operator.Subject, now);
            if (change.Problem == ProblemTypes.CertificationNotDecided)
                throw new ProblemException(ProblemTypes.CertificationNotDecided) { RetryAfter = TimeSpan.FromSeconds(1) };
            return change;
        }, cancellationToken);
    }

    /// <summary>Cancels an open visit with a reason (<see cref="CancelReasons"/>); the hold on suspension is released.</summary>
    public Task<HomeVisitResult> CancelAsync(string visitId, string? reason, OperatorPrincipal @operator, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var r = reason?.Trim().ToLowerInvariant() ?? "";
        return ChangeAsync(visitId, @operator, idempotencyKey, $"cancel\n{r}", (v, now, _) => Task.FromResult(v.Cancel(r, @operator.Subject, now)), cancellationToken);
    }

    /// <summary>
    /// Records an unsuccessful visit (<see cref="UnsuccessfulReasons"/>). <c>found-deceased</c> opens a review case
    /// (<see cref="FoundDeceasedReviewReason"/>) and changes nothing about payment: only the four-eyes death flow stops it.
    /// </summary>
    public Task<HomeVisitResult> MarkUnsuccessfulAsync(string visitId, string? reason, OperatorPrincipal @operator, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var r = reason?.Trim().ToLowerInvariant() ?? "";
        return ChangeAsync(visitId, @operator, idempotencyKey, $"unsuccessful\n{r}", (v, now, _) => Task.FromResult(v.MarkUnsuccessful(r, @operator.Subject, now)), cancellationToken);
    }

    /// <summary>
    /// Records the visit's current change on the pensioner (hold and event; idempotent) and, for a visit that found
    /// the pensioner deceased, opens the review case. Used after every change, on replays, and by the sweep.
    /// </summary>
    public async Task AnnounceAsync(HomeVisit visit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visit);
        await cycle.RecordHomeVisitAsync(visit, visit.LastEvent, cancellationToken);
        if (visit is { State: HomeVisitState.Unsuccessful, OutcomeReason: UnsuccessfulReasons.FoundDeceased })
        {
            var closedAt = visit.ClosedAt ?? timeProvider.GetUtcNow();
            await reviewCases.OpenAsync(new Review.ReviewCase
            {
                CaseId = $"{visit.RegionCode}-h{visit.VisitId[7..]}",
                RegionCode = visit.RegionCode,
                PensionerId = visit.PensionerId,
                Reason = FoundDeceasedReviewReason,
                Day = ChinaTime.ToChinaDate(closedAt),
                OpenedAt = closedAt,
                Subject = visit.VisitId,
                SubmittedBy = visit.ClosedBy,
            }, cancellationToken);
        }
    }

    private async Task<HomeVisitResult> ChangeAsync(string visitId, OperatorPrincipal @operator, string? idempotencyKey, string fingerprint,
        Func<HomeVisit, DateTimeOffset, DateOnly, Task<HomeVisitChange>> transition, CancellationToken cancellationToken)
    {
        var visit = await GetAsync(visitId, @operator, cancellationToken);
        var ticket = await idempotency.ClaimAsync(VisitRequester.Operator + ":" + @operator.Subject, idempotencyKey, visitId, visitId + "\n" + fingerprint, cancellationToken);
        if (ticket.IsReplay)
        {
            await AnnounceAsync(visit, cancellationToken);
            return new HomeVisitResult(visit, Replayed: true);
        }
        return await idempotency.ReleaseOnRefusalAsync(ticket, async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var now = timeProvider.GetUtcNow();
                var change = await transition(visit, now, ChinaTime.ToChinaDate(now));
                var next = change.OrThrow();
                if (!change.Changed)
                {
                    await AnnounceAsync(next, cancellationToken);
                    return new HomeVisitResult(next, Replayed: false);
                }
                try
                {
                    visit = await visits.UpdateAsync(next, cancellationToken);
                }
                catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
                {
                    visit = await visits.GetAsync(visitId, cancellationToken) ?? throw new ProblemException(ProblemTypes.HomeVisitNotFound);
                    continue;
                }
                await AnnounceAsync(visit, cancellationToken);
                LogChanged(logger, visit.VisitId, visit.PensionerId, visit.State);
                return new HomeVisitResult(visit, Replayed: false);
            }
        });
    }

    private async Task<PensionerProfile> ResolvePensionerAsync(string? pensionerId, string? idNumber, DateOnly today, CancellationToken cancellationToken)
    {
        string? id;
        if (!string.IsNullOrWhiteSpace(pensionerId) && !string.IsNullOrWhiteSpace(idNumber)) throw new ProblemException(ProblemTypes.ConflictingIdentifiers);
        if (!string.IsNullOrWhiteSpace(pensionerId)) id = pensionerId.Trim();
        else if (!string.IsNullOrWhiteSpace(idNumber)) id = await pensioners.FindIdAsync(hasher.Hash(RequestValidation.RequireIdNumber(idNumber, today)), cancellationToken);
        else throw new ProblemException(ProblemTypes.MissingPensioner);
        if (!Ids.IsPensionerId(id)) throw new ProblemException(ProblemTypes.PensionerNotFound);
        return await pensioners.GetAsync(id!, cancellationToken) ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
    }

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Home visit {VisitId} requested for pensioner {PensionerId} by a {RequesterKind}")]
    private static partial void LogRequested(ILogger logger, string visitId, string pensionerId, string requesterKind);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Home visit {VisitId} of pensioner {PensionerId} is now {State}")]
    private static partial void LogChanged(ILogger logger, string visitId, string pensionerId, HomeVisitState state);
}
