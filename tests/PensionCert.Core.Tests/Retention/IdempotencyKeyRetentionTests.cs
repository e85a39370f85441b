using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core.Certification;
using PensionCert.Core.Retention;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Tests.Retention;

/// <summary>The purge asks the store for bindings older than the 24 h key lifetime, on the injected clock.</summary>
public sealed class IdempotencyKeyRetentionTests
{
    [Fact]
    public async Task Purge_CutsOffExactlyOneLifetimeBeforeNow()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 19, 0, 0, TimeSpan.Zero));
        var store = new RecordingStore(deletes: 7);
        var service = new IdempotencyKeyRetentionService(store, clock, NullLogger<IdempotencyKeyRetentionService>.Instance);

        Assert.Equal(7, await service.PurgeExpiredAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromDays(1));
        await service.PurgeExpiredAsync(CancellationToken.None);

        Assert.Equal([new DateTimeOffset(2026, 11, 29, 19, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 19, 0, 0, TimeSpan.Zero)], store.Cutoffs);
        Assert.Equal(TimeSpan.FromHours(24), CertificationOptions.IdempotencyKeyLifetime);
    }

    /// <summary>Records the cut-offs it is asked to purge (unit test of the service's arithmetic; storage is tested on Azurite).</summary>
    private sealed class RecordingStore(int deletes) : IIdempotencyStore
    {
        public List<DateTimeOffset> Cutoffs { get; } = [];

        public Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken)
        {
            Cutoffs.Add(expiredBefore);
            return Task.FromResult(deletes);
        }

        public Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IdempotencyEntry> ClaimAsync(string scopedKey, IdempotencyEntry candidate, DateTimeOffset expiredBefore, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task ReleaseAsync(string scopedKey, string certificationId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
