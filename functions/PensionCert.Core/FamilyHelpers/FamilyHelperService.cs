using System.Globalization;
using Microsoft.Extensions.Logging;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.HomeVisits;
using PensionCert.Core.Identity;
using PensionCert.Core.Offline;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Core.FamilyHelpers;

/// <summary>A family helper request as received (unvalidated strings).</summary>
public sealed record RequestFamilyHelperCommand(string? PensionerId, string? IdNumber, string? Name, string? Phone, string? Relationship);

/// <summary>
/// Family helper bindings (亲情认证): the helper's app asks to be bound to a pensioner (Pending); an operator of the
/// pensioner's region approves (Active) or revokes (Revoked). Only an Active helper's submissions are accepted, and
/// they are recorded as assisted with the helper's id. At most <see cref="MaxBindings"/> pending or active helpers per pensioner.
/// </summary>
public sealed partial class FamilyHelperService(
    IFamilyHelperStore helpers,
    IPensionerRepository pensioners,
    IIdNumberHasher hasher,
    IAssistedApprovalLog assisted,
    OperationIdempotency idempotency,
    TimeProvider timeProvider,
    ILogger<FamilyHelperService> logger)
{
    /// <summary>Pending or active helpers one pensioner may have.</summary>
    public const int MaxBindings = 3;

    /// <summary>The helper's app asks to be bound (client key). 201 Pending; replayed with the same Idempotency-Key.</summary>
    /// <exception cref="ProblemException">Validation, pensioner-not-found, pensioner-inactive, family-helper-limit.</exception>
    public async Task<(FamilyHelper Helper, bool Replayed)> RequestAsync(RequestFamilyHelperCommand command, string clientName, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = timeProvider.GetUtcNow();
        var name = RequireName(command.Name);
        var phone = HomeVisitValidation.RequirePhone(command.Phone);
        var relationship = command.Relationship?.Trim().ToLowerInvariant() ?? "";
        if (!HelperRelationships.All.Contains(relationship)) throw new ProblemException(ProblemTypes.InvalidRelationship);
        var profile = await ResolveAsync(command.PensionerId, command.IdNumber, ChinaTime.ToChinaDate(now), cancellationToken);
        if (profile.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred) throw new ProblemException(ProblemTypes.PensionerInactive);
        var ticket = await idempotency.ClaimAsync("helper-request:" + clientName, idempotencyKey, FamilyHelperIds.New(),
            string.Join('\n', "helper", profile.PensionerId, name, phone, relationship), cancellationToken);
        if (ticket.IsReplay && await helpers.GetAsync(profile.PensionerId, ticket.ResourceId, cancellationToken) is { } earlier)
            return (earlier, true);
        return await idempotency.ReleaseOnRefusalAsync(ticket, async () =>
        {
            var existing = await helpers.ListAsync(profile.PensionerId, cancellationToken);
            if (existing.Count(h => h.State != FamilyHelperState.Revoked && h.HelperId != ticket.ResourceId) >= MaxBindings)
                throw new ProblemException(ProblemTypes.FamilyHelperLimit);
            var helper = new FamilyHelper
            {
                HelperId = ticket.ResourceId,
                PensionerId = profile.PensionerId,
                RegionCode = profile.RegionCode,
                State = FamilyHelperState.Pending,
                Name = name,
                Phone = phone,
                Relationship = relationship,
                RequestedBy = clientName,
                RequestedAt = now,
            };
            if (!await helpers.TryCreateAsync(helper, cancellationToken))
                helper = await helpers.GetAsync(profile.PensionerId, helper.HelperId, cancellationToken) ?? helper;
            LogRequested(logger, helper.HelperId, helper.PensionerId);
            return (helper, ticket.IsReplay);
        });
    }

    /// <summary>The pensioner's helpers (operator of the region).</summary>
    public async Task<IReadOnlyList<FamilyHelper>> ListAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        await RequireServedAsync(pensionerId, @operator, cancellationToken);
        return await helpers.ListAsync(pensionerId, cancellationToken);
    }

    /// <summary>Approves a pending helper (operator of the region, clerk or admin). Approving again changes nothing.</summary>
    public Task<FamilyHelper> ApproveAsync(string pensionerId, string helperId, OperatorPrincipal @operator, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, helperId, @operator, (h, now) => h.Approve(@operator.Subject, now), cancellationToken);

    /// <summary>Revokes a helper: their later submissions are refused (403 family-helper-revoked). Revoking again changes nothing.</summary>
    public Task<FamilyHelper> RevokeAsync(string pensionerId, string helperId, OperatorPrincipal @operator, CancellationToken cancellationToken) =>
        ChangeAsync(pensionerId, helperId, @operator, (h, now) => h.Revoke(@operator.Subject, now), cancellationToken);

    /// <summary>The assisted approvals of a China month (yyyy-MM) in a region (county, or every county of a prefecture or province code).</summary>
    /// <exception cref="ProblemException">invalid-region-code, region-not-served, invalid-month.</exception>
    public Task<IReadOnlyList<AssistedApproval>> ListAssistedAsync(string regionCode, string? month, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        if (!AdministrativeRegionCode.TryParse(regionCode, out _)) throw new ProblemException(ProblemTypes.InvalidRegionCode);
        if (!@operator.Serves(regionCode)) throw new ProblemException(ProblemTypes.RegionNotServed);
        if (!DateOnly.TryParseExact((month ?? "") + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            throw new ProblemException(ProblemTypes.InvalidMonth);
        var prefix = regionCode.EndsWith("0000", StringComparison.Ordinal) ? regionCode[..2] : regionCode.EndsWith("00", StringComparison.Ordinal) ? regionCode[..4] : regionCode;
        return assisted.ListAsync(prefix, first, cancellationToken);
    }

    private async Task<FamilyHelper> ChangeAsync(string pensionerId, string helperId, OperatorPrincipal @operator,
        Func<FamilyHelper, DateTimeOffset, FamilyHelperChange> transition, CancellationToken cancellationToken)
    {
        await RequireServedAsync(pensionerId, @operator, cancellationToken);
        if (!FamilyHelperIds.IsWellFormed(helperId)) throw new ProblemException(ProblemTypes.FamilyHelperNotFound);
        for (var attempt = 1; ; attempt++)
        {
            var helper = await helpers.GetAsync(pensionerId, helperId, cancellationToken) ?? throw new ProblemException(ProblemTypes.FamilyHelperNotFound);
            var change = transition(helper, timeProvider.GetUtcNow());
            var next = change.OrThrow();
            if (!change.Changed) return next;
            try
            {
                next = await helpers.UpdateAsync(next, cancellationToken);
                LogChanged(logger, helperId, pensionerId, next.State);
                return next;
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
            }
        }
    }

    private async Task RequireServedAsync(string pensionerId, OperatorPrincipal @operator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        if (!Ids.IsPensionerId(pensionerId)) throw new ProblemException(ProblemTypes.PensionerNotFound);
        var profile = await pensioners.GetAsync(pensionerId, cancellationToken) ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        if (!@operator.Serves(profile.RegionCode)) throw ProblemException.OutsideRegions(profile.PensionerId);
    }

    private async Task<PensionerProfile> ResolveAsync(string? pensionerId, string? idNumber, DateOnly today, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(pensionerId) && !string.IsNullOrWhiteSpace(idNumber)) throw new ProblemException(ProblemTypes.ConflictingIdentifiers);
        string? id;
        if (!string.IsNullOrWhiteSpace(pensionerId)) id = pensionerId.Trim();
        else if (!string.IsNullOrWhiteSpace(idNumber)) id = await pensioners.FindIdAsync(hasher.Hash(RequestValidation.RequireIdNumber(idNumber, today)), cancellationToken);
        else throw new ProblemException(ProblemTypes.MissingPensioner);
        if (!Ids.IsPensionerId(id)) throw new ProblemException(ProblemTypes.PensionerNotFound);
        return await pensioners.GetAsync(id!, cancellationToken) ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
    }

    private static string RequireName(string? raw)
    {
        var value = raw?.Trim() ?? "";
        if (value.Length is < 2 or > 50 || value.Any(c => char.IsControl(c) || char.IsDigit(c))) throw new ProblemException(ProblemTypes.InvalidName);
        return value;
    }

    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "Family helper {HelperId} requested for pensioner {PensionerId}")]
    private static partial void LogRequested(ILogger logger, string helperId, string pensionerId);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information, Message = "Family helper {HelperId} of pensioner {PensionerId} is now {State}")]
    private static partial void LogChanged(ILogger logger, string helperId, string pensionerId, FamilyHelperState state);
}
