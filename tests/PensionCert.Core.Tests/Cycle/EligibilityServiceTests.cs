using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core.Cycle;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Tests.Cycle;

public sealed class EligibilityServiceTests
{
    private sealed class OneProfile(PensionerProfile profile) : IPensionerRepository
    {
        public Task<PensionerProfile?> GetAsync(string pensionerId, CancellationToken cancellationToken) =>
            Task.FromResult<PensionerProfile?>(pensionerId == profile.PensionerId ? profile : null);
        public Task<string?> FindIdAsync(string idNumberHash, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> ClaimIdAsync(string idNumberHash, string candidateId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task SaveEnrollmentAsync(PensionerProfile p, ReferenceHistoryEntry? superseded, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UpdateAsync(PensionerProfile p, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<ReferenceHistoryEntry>> GetReferenceHistoryAsync(string pensionerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ErasedIdentity?> GetErasedAsync(string idNumberHash, CancellationToken cancellationToken) => Task.FromResult<ErasedIdentity?>(null);
        public Task SaveErasedAsync(ErasedIdentity tombstone, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task AddCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> ListCertificationIdsAsync(string pensionerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<int> DeleteAsync(string pensionerId, string idNumberHash, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> RecordFailedAttemptAsync(string pensionerId, DateOnly day, string certificationId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task RemoveCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<int> CountFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Theory]
    // Certified 2024-12-31 23:30 China time (15:30 UTC): valid until 2025-12-31 inclusive, China time.
    [InlineData("2025-11-30T15:59:59Z", EligibilityState.Valid)]     // 2025-11-30 23:59:59 China: V-31
    [InlineData("2025-11-30T16:00:00Z", EligibilityState.DueSoon)]   // 2025-12-01 00:00 China: V-30
    [InlineData("2025-12-31T15:59:59Z", EligibilityState.DueSoon)]   // last valid minute, China time
    [InlineData("2025-12-31T16:00:00Z", EligibilityState.Overdue)]   // 2026-01-01 00:00 China
    public async Task GetAsync_YearEndCertification_StateFollowsChinaCalendar(string utcNow, EligibilityState expected)
    {
        var certifiedAt = new DateTimeOffset(2024, 12, 31, 15, 30, 0, TimeSpan.Zero);
        var profile = CyclePlannerTests.Profile(CertificationCalendar.ValidUntil(ChinaTime.ToChinaDate(certifiedAt))) with { LastCertifiedAt = certifiedAt };
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(utcNow, System.Globalization.CultureInfo.InvariantCulture));
        var service = new EligibilityService(new OneProfile(profile), Options.Create(new CyclePolicyOptions()), clock);

        var view = await service.GetAsync(profile.PensionerId, CancellationToken.None);

        Assert.Equal(new DateOnly(2024, 12, 31), view.LastCertifiedOn);
        Assert.Equal(new DateOnly(2025, 12, 31), view.ValidUntil);
        Assert.Equal(new DateOnly(2025, 12, 1), view.DueSoonFrom);
        Assert.Equal(expected, view.State);
    }

    [Fact]
    public async Task GetAsync_RegionWithLongerReminder_UsesRegionDueSoonDays()
    {
        var profile = CyclePlannerTests.Profile(new DateOnly(2025, 3, 15));
        var options = new CyclePolicyOptions { Regions = { ["11"] = new CyclePolicySettings { ReminderDaysBefore = [60, 7] } } };
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 20, 4, 0, 0, TimeSpan.Zero));
        var view = await new EligibilityService(new OneProfile(profile), Options.Create(options), clock).GetAsync(profile.PensionerId, CancellationToken.None);
        Assert.Equal(EligibilityState.DueSoon, view.State);
        Assert.Equal(new DateOnly(2025, 1, 14), view.DueSoonFrom);
    }
}
