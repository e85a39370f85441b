using PensionCert.Core.Errors;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Cycle;

/// <summary>A pensioner's eligibility as of today (China Standard Time).</summary>
/// <param name="PensionerId">The pensioner.</param>
/// <param name="State">NeverCertified, Valid, DueSoon, Overdue, UnderInvestigation, Suspended, Deceased or Transferred.</param>
/// <param name="LastCertifiedOn">China date of the last approved certification.</param>
/// <param name="ValidUntil">Last China date the certification is valid (for a pensioner never certified: the first due date).</param>
/// <param name="DueSoonFrom">First China date the state becomes DueSoon.</param>
/// <param name="AsOf">The China date the state was computed for.</param>
public sealed record EligibilityView(string PensionerId, EligibilityState State, DateOnly? LastCertifiedOn, DateOnly? ValidUntil, DateOnly? DueSoonFrom, DateOnly AsOf);

/// <summary>Reads a pensioner's eligibility.</summary>
public sealed class EligibilityService(IPensionerRepository pensioners, Microsoft.Extensions.Options.IOptions<CyclePolicyOptions> policies, TimeProvider timeProvider)
{
    /// <summary>
    /// The state of <paramref name="profile"/> today (China Standard Time): its recorded standing first, then the
    /// dates, with the region's DueSoon window. The one place both the eligibility and the operator views take it from.
    /// </summary>
    public EligibilityState StateOf(PensionerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        DateOnly? lastCertifiedOn = profile.LastCertifiedAt is { } at ? ChinaTime.ToChinaDate(at) : null;
        return EligibilityRules.StateOn(ChinaTime.Today(timeProvider), profile.Standing, lastCertifiedOn, profile.ValidUntil,
            policies.Value.For(profile.RegionCode).DueSoonDays);
    }

    /// <summary>Computes the eligibility of one pensioner as of today.</summary>
    /// <exception cref="ProblemException">pensioner-not-found.</exception>
    public async Task<EligibilityView> GetAsync(string pensionerId, CancellationToken cancellationToken)
    {
        var profile = (Ids.IsPensionerId(pensionerId) ? await pensioners.GetAsync(pensionerId, cancellationToken) : null)
            ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        var today = ChinaTime.Today(timeProvider);
        var dueSoonDays = policies.Value.For(profile.RegionCode).DueSoonDays;
        DateOnly? lastCertifiedOn = profile.LastCertifiedAt is { } at ? ChinaTime.ToChinaDate(at) : null;
        return new EligibilityView(
            profile.PensionerId,
            StateOf(profile),
            lastCertifiedOn,
            profile.ValidUntil,
            profile.ValidUntil?.AddDays(-dueSoonDays),
            today);
    }
}
