using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Faces;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;

namespace PensionCert.IntegrationTests;

/// <summary>Pensioners stored directly through a host's services, for tests that need one without an enrolment photo.</summary>
internal static class TestPensioners
{
    /// <summary>
    /// Claims the identity of <paramref name="id"/> and returns the profile enrolment would build (fixed 2-d reference
    /// embedding, no cycle dates); the caller sets the dates it needs with <c>with</c> and saves it.
    /// </summary>
    public static async Task<PensionerProfile> NewProfileAsync(IServiceProvider services, CitizenIdNumber id, string region, DateTimeOffset enrolledAt)
    {
        var hash = services.GetRequiredService<IIdNumberHasher>().Hash(id);
        var pensionerId = await services.GetRequiredService<IPensionerRepository>().ClaimIdAsync(hash, Ids.NewPensionerId(), CancellationToken.None);
        return new PensionerProfile
        {
            PensionerId = pensionerId,
            IdNumberHash = hash,
            MaskedIdNumber = id.Masked,
            Name = "测试人员",
            RegionCode = region,
            ReferenceVersion = 1,
            ReferenceBlobName = pensionerId + "/1",
            ReferenceEmbedding = FaceEmbedding.FromRaw([0.6f, 0.8f]),
            EnrolledAt = enrolledAt,
        };
    }
}

/// <summary>Ends a pensioner's pension in storage (as a recorded transfer would), so an erasure is allowed.</summary>
internal static class EndedPensioners
{
    /// <summary>Sets the standing to Transferred (retrying while the worker changes the profile).</summary>
    public static async Task MarkTransferredAsync(IServiceProvider services, string pensionerId)
    {
        var pensioners = services.GetRequiredService<IPensionerRepository>();
        for (var attempt = 1; ; attempt++)
        {
            var profile = (await pensioners.GetAsync(pensionerId, CancellationToken.None))!;
            try
            {
                await pensioners.UpdateAsync(profile with { Standing = Core.Cycle.PensionerStanding.Transferred, EndedOn = Core.Cycle.ChinaTime.Today(TimeProvider.System) }, CancellationToken.None);
                return;
            }
            catch (ConcurrencyConflictException) when (attempt < 20)
            {
                await Task.Delay(50);
            }
        }
    }
}
