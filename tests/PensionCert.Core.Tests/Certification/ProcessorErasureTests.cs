using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Faces;
using PensionCert.Core.Retention;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Tests.Certification;

/// <summary>
/// The verification worker against an erasure: the profile gone before the worker reads it, or deleted while the
/// worker analyses the selfie or between the cycle service's read and save. In-memory stores that keep the storage
/// semantics that matter here (ETag-conditional updates, updates never create rows, batches with the profile fail
/// when it is gone).
/// </summary>
public sealed class ProcessorErasureTests
{
    private static readonly FaceEmbedding Reference = FaceEmbedding.FromRaw([0.6f, 0.8f]);
    private static readonly FaceEmbedding SamePerson = FaceEmbedding.FromRaw([0.8f, 0.6f]);   // cosine 0.96: Approved
    private static readonly FaceEmbedding Stranger = FaceEmbedding.FromRaw([0.8f, -0.6f]);    // cosine 0: Rejected

    private readonly World _w = new();

    [Fact]
    public async Task ProfileGone_RemovesSelfieRetentionEntryIndexRowAndRecord_AndDecidesNothing()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: false);

        await _w.Processor(Analyzer(SamePerson)).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        _w.AssertNothingLeftOf(pensionerId, certificationId);
        Assert.Equal(0, _w.Cycle.Saves);
    }

    [Fact]
    public async Task ErasedBeforeTheFirstDelivery_NoRecordNoSelfie_DroppedAtOnceWithoutRetry()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: true);
        _w.Erase(pensionerId, keepCertification: null);
        var never = new CallbackAnalyzer(() => throw new InvalidOperationException("never reached"));

        // First delivery: returns normally (no CertificationNotYetVisibleException, so no retries and no failed runs).
        await _w.Processor(never).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        _w.AssertNothingLeftOf(pensionerId, certificationId);
    }

    [Fact]
    public async Task RecordNeverWritten_RetriedWhileYoung_ThenOnTheLastDeliveryItsSelfieIsDeleted()
    {
        var (_, certificationId) = _w.Submitted(withProfile: true);
        _w.Certifications.Records.Remove(certificationId); // the submission died between its message and its record
        var never = new CallbackAnalyzer(() => throw new InvalidOperationException("never reached"));
        var processor = _w.Processor(never);

        await Assert.ThrowsAsync<CertificationNotYetVisibleException>(() =>
            processor.ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None));
        Assert.Contains((PhotoContainer.Selfies, certificationId), _w.Photos.Blobs.Keys);

        await processor.ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(CertificationOptions.MaxDequeueCount, _w.Clock.GetUtcNow()), CancellationToken.None);
        Assert.DoesNotContain((PhotoContainer.Selfies, certificationId), _w.Photos.Blobs.Keys);
        Assert.Null(await _w.Certifications.GetAsync(certificationId, CancellationToken.None));
    }

    [Fact]
    public async Task ProfileGone_OnTheLastDelivery_IsRemovedNotMarkedFailed()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: false);
        var failing = new CallbackAnalyzer(() => throw new InvalidOperationException("never reached"));

        await _w.Processor(failing).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(CertificationOptions.MaxDequeueCount, _w.Clock.GetUtcNow()), CancellationToken.None);

        _w.AssertNothingLeftOf(pensionerId, certificationId);
    }

    [Fact]
    public async Task Approval_ErasureDuringAnalysis_CycleFindsNoProfile_CertificationRemovedNothingApproved()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: true);
        var analyzer = new CallbackAnalyzer(() =>
        {
            _w.Erase(pensionerId, keepCertification: certificationId);
            return Usable(SamePerson);
        });

        await _w.Processor(analyzer).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        _w.AssertNothingLeftOf(pensionerId, certificationId);
        Assert.Equal(0, _w.Cycle.Saves);
    }

    [Fact]
    public async Task Approval_ProfileDeletedBetweenCycleReadAndSave_ConditionalSaveFails_NothingRecreated()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: true);
        _w.Cycle.BeforeSave = () => _w.Erase(pensionerId, keepCertification: certificationId);

        await _w.Processor(Analyzer(SamePerson)).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(0, _w.Cycle.Saves);
        Assert.True(_w.Cycle.SaveAttempts >= 1);
        _w.AssertNothingLeftOf(pensionerId, certificationId);
    }

    [Fact]
    public async Task Rejection_ErasureDuringAnalysis_NoFailedAttemptRowRecreated_CertificationRemoved()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: true);
        var analyzer = new CallbackAnalyzer(() =>
        {
            _w.Erase(pensionerId, keepCertification: certificationId);
            return Usable(Stranger);
        });

        await _w.Processor(analyzer).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        _w.AssertNothingLeftOf(pensionerId, certificationId);
    }

    [Fact]
    public async Task Approval_RecordErasedBeforeTheDecisionIsWritten_RetentionEntryRemovedAgain()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: true);
        // The cycle change succeeds, then the erasure deletes everything before the decision is written.
        _w.Cycle.AfterSchedule = () => _w.Erase(pensionerId, keepCertification: null);

        await _w.Processor(Analyzer(SamePerson)).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        Assert.Equal(1, _w.Cycle.Saves);
        _w.AssertNothingLeftOf(pensionerId, certificationId);
    }

    [Fact]
    public async Task Approval_NoErasure_DecidesApprovedAndKeepsEverything()
    {
        var (pensionerId, certificationId) = _w.Submitted(withProfile: true);

        await _w.Processor(Analyzer(SamePerson)).ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, _w.Clock.GetUtcNow()), CancellationToken.None);

        var record = await _w.Certifications.GetAsync(certificationId, CancellationToken.None);
        Assert.Equal(CertificationStatus.Approved, record!.Status);
        Assert.Single(_w.Retention.Entries);
        Assert.Contains("certification-" + certificationId, _w.Pensioners.Rows(pensionerId));
        Assert.Equal(1, _w.Cycle.Saves);
        Assert.NotNull((await _w.Pensioners.GetAsync(pensionerId, CancellationToken.None))!.LastCertifiedAt);
    }

    private static FaceAnalysis Usable(FaceEmbedding embedding) => new() { Problems = [], FaceCount = 1, Embedding = embedding, LivenessScore = 0.9 };

    private static IFaceAnalyzer Analyzer(FaceEmbedding embedding) => new CallbackAnalyzer(() => Usable(embedding));

    private sealed class CallbackAnalyzer(Func<FaceAnalysis> analyze) : IFaceAnalyzer
    {
        public Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, CancellationToken cancellationToken) => Task.FromResult(analyze());
    }

    /// <summary>The stores, the clock and a way to erase as the administration service does.</summary>
    private sealed class World
    {
        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero));
        public MemoryPensioners Pensioners { get; } = new();
        public MemoryCertifications Certifications { get; } = new();
        public MemoryPhotos Photos { get; } = new();
        public MemoryRetention Retention { get; } = new();
        public MemoryReviewCases ReviewCases { get; } = new();
        public MemoryInFlight InFlight { get; } = new();
        public MemoryCycleStore Cycle { get; }

        public World() => Cycle = new MemoryCycleStore(Pensioners);

        public CertificationProcessor Processor(IFaceAnalyzer analyzer)
        {
            var certificationOptions = Options.Create(new CertificationOptions());
            var cycle = new CycleService(Pensioners, Cycle, Options.Create(new CyclePolicyOptions()), Clock, NullLogger<CycleService>.Instance);
            var policy = new VerificationPolicy(Options.Create(new VerificationOptions()));
            var decisions = new CertificationDecisions(Certifications, Pensioners, Photos,
                new SelfieRetentionService(Retention, Certifications, Photos, Options.Create(new RetentionOptions()), Clock, NullLogger<SelfieRetentionService>.Instance),
                Retention, InFlight, new AttemptLimiter(Pensioners, new ReviewIntake(ReviewCases, Clock), certificationOptions, Clock, NullLogger<AttemptLimiter>.Instance),
                cycle, new ReviewIntake(ReviewCases, Clock), policy, Clock, NullLogger<CertificationDecisions>.Instance);
            return new CertificationProcessor(Certifications, Pensioners, Photos, analyzer, policy, decisions, certificationOptions, Clock, NullLogger<CertificationProcessor>.Instance);
        }

        /// <summary>A submission as CertificationService leaves it: index row, selfie, Pending record (and the profile unless erased).</summary>
        public (string PensionerId, string CertificationId) Submitted(bool withProfile)
        {
            var pensionerId = Ids.NewPensionerId();
            var certificationId = Ids.NewCertificationId();
            if (withProfile)
            {
                Pensioners.Put(new PensionerProfile
                {
                    PensionerId = pensionerId, IdNumberHash = "hash", MaskedIdNumber = "110105********123X", Name = "测试人员", RegionCode = "110105",
                    ReferenceVersion = 1, ReferenceBlobName = pensionerId + "/1", ReferenceEmbedding = Reference, EnrolledAt = Clock.GetUtcNow().AddDays(-30),
                    ValidUntil = new DateOnly(2027, 1, 31), BirthMonth = 1,
                });
            }
            Pensioners.AddRow(pensionerId, "certification-" + certificationId);
            Photos.Blobs[(PhotoContainer.Selfies, certificationId)] = [1, 2, 3];
            Assert.True(Certifications.TryCreateAsync(new CertificationRecord
            {
                CertificationId = certificationId, PensionerId = pensionerId, Channel = CertificationChannel.WeChat, Status = CertificationStatus.Pending,
                SelfieBlobName = certificationId, SubmittedAt = Clock.GetUtcNow(),
            }, CancellationToken.None).Result);
            return (pensionerId, certificationId);
        }

        /// <summary>
        /// What EraseAsync does to these stores, except that the certification <paramref name="keepCertification"/>
        /// (a submission that wrote its record after the erasure listed the index) keeps its record and selfie.
        /// </summary>
        public void Erase(string pensionerId, string? keepCertification)
        {
            foreach (var row in Pensioners.Rows(pensionerId).Where(r => r.StartsWith("certification-", StringComparison.Ordinal)).ToArray())
            {
                var id = row["certification-".Length..];
                if (id == keepCertification) continue;
                Certifications.Records.Remove(id);
                Photos.Blobs.Remove((PhotoContainer.Selfies, id));
                Retention.Entries.RemoveWhere(e => e.CertificationId == id);
            }
            Pensioners.DeletePartition(pensionerId);
            ReviewCases.Cases.RemoveAll(c => c.PensionerId == pensionerId);
            Cycle.Due.RemoveWhere(d => d.PensionerId == pensionerId);
        }

        public void AssertNothingLeftOf(string pensionerId, string certificationId)
        {
            Assert.Null(Certifications.GetAsync(certificationId, CancellationToken.None).Result);
            Assert.DoesNotContain((PhotoContainer.Selfies, certificationId), Photos.Blobs.Keys);
            Assert.DoesNotContain(Retention.Entries, e => e.CertificationId == certificationId);
            Assert.Empty(Pensioners.Rows(pensionerId));
            Assert.Null(Pensioners.GetAsync(pensionerId, CancellationToken.None).Result);
            Assert.DoesNotContain(ReviewCases.Cases, c => c.PensionerId == pensionerId);
            Assert.DoesNotContain(Cycle.Due, d => d.PensionerId == pensionerId);
        }
    }

    /// <summary>Profiles with ETags, and the other rows of each pensioner's partition by RowKey.</summary>
    private sealed class MemoryPensioners : IPensionerRepository
    {
        private readonly Dictionary<string, PensionerProfile> _profiles = [];
        private readonly Dictionary<string, HashSet<string>> _rows = [];

        public void Put(PensionerProfile profile) => _profiles[profile.PensionerId] = profile with { ETag = Guid.NewGuid().ToString("N") };

        public void AddRow(string pensionerId, string rowKey)
        {
            if (!_rows.TryGetValue(pensionerId, out var rows)) _rows[pensionerId] = rows = [];
            rows.Add(rowKey);
        }

        public IReadOnlyCollection<string> Rows(string pensionerId) =>
            (_rows.TryGetValue(pensionerId, out var rows) ? rows.ToArray() : []).Concat(_profiles.ContainsKey(pensionerId) ? ["profile"] : []).ToArray();

        public void DeletePartition(string pensionerId)
        {
            _rows.Remove(pensionerId);
            _profiles.Remove(pensionerId);
        }

        /// <summary>The cycle store's transaction: the profile if its ETag matches, plus rows.</summary>
        public void SaveWith(PensionerProfile profile, IEnumerable<string> rowKeys)
        {
            if (!_profiles.TryGetValue(profile.PensionerId, out var stored) || stored.ETag != profile.ETag)
                throw new ConcurrencyConflictException("profile changed or gone");
            Put(profile);
            foreach (var k in rowKeys) AddRow(profile.PensionerId, k);
        }

        public Task<PensionerProfile?> GetAsync(string pensionerId, CancellationToken cancellationToken) =>
            Task.FromResult(_profiles.GetValueOrDefault(pensionerId));

        /// <summary>Decisions written into index rows by the cycle store's transaction.</summary>
        public Dictionary<(string PensionerId, string CertificationId), CertificationIntent> Intents { get; } = [];

        public Task<(PensionerProfile? Profile, CertificationIntent? Intent)> GetWithIntentAsync(string pensionerId, string certificationId, CancellationToken cancellationToken) =>
            Task.FromResult((_profiles.GetValueOrDefault(pensionerId),
                Rows(pensionerId).Contains("certification-" + certificationId) ? Intents.GetValueOrDefault((pensionerId, certificationId)) : null));

        public Task<bool> RecordFailedAttemptAsync(string pensionerId, DateOnly day, string certificationId, CancellationToken cancellationToken)
        {
            // One transaction with the profile: nothing is written when it is gone.
            if (!_profiles.TryGetValue(pensionerId, out var profile)) return Task.FromResult(false);
            Put(profile);
            AddRow(pensionerId, $"failed-{day:yyyy-MM-dd}-{certificationId}");
            return Task.FromResult(true);
        }

        public Task<int> CountFailedAttemptsAsync(string pensionerId, DateOnly day, CancellationToken cancellationToken) =>
            Task.FromResult(Rows(pensionerId).Count(r => r.StartsWith($"failed-{day:yyyy-MM-dd}-", StringComparison.Ordinal)));

        public Task RemoveCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken)
        {
            if (_rows.TryGetValue(pensionerId, out var rows)) rows.Remove("certification-" + certificationId);
            if (rows is { Count: 0 }) _rows.Remove(pensionerId);
            return Task.CompletedTask;
        }

        public Task AddCertificationAsync(string pensionerId, string certificationId, CancellationToken cancellationToken)
        {
            AddRow(pensionerId, "certification-" + certificationId);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<string>> ListCertificationIdsAsync(string pensionerId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(Rows(pensionerId).Where(r => r.StartsWith("certification-", StringComparison.Ordinal)).Select(r => r["certification-".Length..]).ToArray());

        public Task<string?> FindIdAsync(string idNumberHash, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string> ClaimIdAsync(string idNumberHash, string candidateId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task SaveEnrollmentAsync(PensionerProfile profile, ReferenceHistoryEntry? superseded, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UpdateAsync(PensionerProfile profile, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<ReferenceHistoryEntry>> GetReferenceHistoryAsync(string pensionerId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ErasedIdentity?> GetErasedAsync(string idNumberHash, CancellationToken cancellationToken) => Task.FromResult<ErasedIdentity?>(null);
        public Task SaveErasedAsync(ErasedIdentity tombstone, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<int> DeleteAsync(string pensionerId, string idNumberHash, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class MemoryCertifications : ICertificationRepository
    {
        public Dictionary<string, CertificationRecord> Records { get; } = [];

        public Task<CertificationRecord?> GetAsync(string certificationId, CancellationToken cancellationToken) =>
            Task.FromResult(Records.GetValueOrDefault(certificationId));

        public Task<bool> TryCreateAsync(CertificationRecord record, CancellationToken cancellationToken)
        {
            if (Records.ContainsKey(record.CertificationId)) return Task.FromResult(false);
            Records[record.CertificationId] = record with { ETag = Guid.NewGuid().ToString("N") };
            return Task.FromResult(true);
        }

        public Task<CertificationRecord> UpdateAsync(CertificationRecord record, CancellationToken cancellationToken)
        {
            // Like Table storage: an update never creates the row.
            if (!Records.TryGetValue(record.CertificationId, out var stored) || stored.ETag != record.ETag)
                throw new ConcurrencyConflictException("record changed or gone");
            var updated = record with { ETag = Guid.NewGuid().ToString("N") };
            Records[record.CertificationId] = updated;
            return Task.FromResult(updated);
        }

        public Task DeleteAsync(string certificationId, CancellationToken cancellationToken)
        {
            Records.Remove(certificationId);
            return Task.CompletedTask;
        }

        public Task<bool> TryDeleteAsync(CertificationRecord record, CancellationToken cancellationToken)
        {
            if (Records.TryGetValue(record.CertificationId, out var stored) && stored.ETag != record.ETag) return Task.FromResult(false);
            Records.Remove(record.CertificationId);
            return Task.FromResult(true);
        }
    }

    private sealed class MemoryPhotos : IPhotoStore
    {
        public Dictionary<(PhotoContainer, string), byte[]> Blobs { get; } = [];

        public Task<byte[]?> DownloadAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken) =>
            Task.FromResult(Blobs.GetValueOrDefault((container, blobName)));

        public Task<bool> ExistsAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken) =>
            Task.FromResult(Blobs.ContainsKey((container, blobName)));

        public Task DeleteAsync(PhotoContainer container, string blobName, CancellationToken cancellationToken)
        {
            Blobs.Remove((container, blobName));
            return Task.CompletedTask;
        }

        public Task UploadAsync(PhotoContainer container, string blobName, Stream content, string contentType, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<int> DeleteByPrefixAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();
        public IAsyncEnumerable<string> ListNamesAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();
        public IAsyncEnumerable<string> ListDirectoriesAsync(PhotoContainer container, string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class MemoryRetention : ISelfieRetentionIndex
    {
        public HashSet<SelfieRetentionEntry> Entries { get; } = [];

        public Task ScheduleAsync(DateOnly deleteOn, string certificationId, CancellationToken cancellationToken)
        {
            Entries.Add(new SelfieRetentionEntry(deleteOn, certificationId));
            return Task.CompletedTask;
        }

        public Task RemoveAsync(IReadOnlyCollection<SelfieRetentionEntry> entries, CancellationToken cancellationToken)
        {
            foreach (var e in entries) Entries.Remove(e);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<SelfieRetentionEntry>> ListDueAsync(DateOnly onOrBefore, int max, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class MemoryInFlight : IInFlightCertificationIndex
    {
        public HashSet<string> Ids { get; } = [];

        public Task AddAsync(InFlightCertification entry, CancellationToken cancellationToken)
        {
            Ids.Add(entry.CertificationId);
            return Task.CompletedTask;
        }

        public Task RemoveAsync(InFlightCertification entry, CancellationToken cancellationToken)
        {
            Ids.Remove(entry.CertificationId);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<InFlightCertification>> ListSubmittedBeforeAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<DateTimeOffset?> GetSweptUntilAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task SetSweptUntilAsync(DateTimeOffset sweptUntil, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class MemoryReviewCases : IReviewCaseStore
    {
        public List<ReviewCase> Cases { get; } = [];

        public Task<bool> OpenAsync(ReviewCase reviewCase, CancellationToken cancellationToken)
        {
            if (Cases.Any(c => c.CaseId == reviewCase.CaseId)) return Task.FromResult(false);
            Cases.Add(reviewCase);
            return Task.FromResult(true);
        }

        public Task<int> DeleteForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
            Task.FromResult(Cases.RemoveAll(c => c.RegionCode == regionCode && c.PensionerId == pensionerId));

        public Task<ReviewCase?> GetAsync(string caseId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ReviewCase> UpdateAsync(ReviewCase reviewCase, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ReviewCase>> ListAsync(IReadOnlyCollection<string> regionPrefixes, ReviewCaseState? state, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ReviewCase>> ListOpenForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ReviewCase>>(Cases.Where(c => c.RegionCode == regionCode && c.PensionerId == pensionerId && c.State == ReviewCaseState.Open).ToList());

        public IAsyncEnumerable<ReviewCase> ListUnfinishedAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>The cycle store: ETag-conditional profile save with outbox rows in the partition; the due index as a set.</summary>
    private sealed class MemoryCycleStore(MemoryPensioners pensioners) : ICycleStore
    {
        public HashSet<(DateOnly On, string PensionerId)> Due { get; } = [];
        public int Saves { get; private set; }
        public int SaveAttempts { get; private set; }
        public Action? BeforeSave { get; set; }
        public Action? AfterSchedule { get; set; }

        public Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<Events.CycleEvent> events, CancellationToken cancellationToken) =>
            SaveAsync(profile, events, null, cancellationToken);

        /// <summary>The transaction with a certification's rows: its index row (the intent) and a failed-attempt row.</summary>
        public Task<CycleSaveResult> SaveAsync(PensionerProfile profile, IReadOnlyList<Events.CycleEvent> events, CertificationRows? rows, CancellationToken cancellationToken)
        {
            SaveAttempts++;
            var before = BeforeSave;
            BeforeSave = null;
            before?.Invoke();
            var keys = events.Select(e => "outbox-" + e.Id).ToList();
            if (rows?.Intent is not null) keys.Add("certification-" + rows.CertificationId);
            if (rows?.FailedAttemptOn is { } day) keys.Add($"failed-{day:yyyy-MM-dd}-{rows.CertificationId}");
            pensioners.SaveWith(profile, keys);
            if (rows?.Intent is { } intent) pensioners.Intents[(profile.PensionerId, rows.CertificationId)] = intent;
            Saves++;
            return Task.FromResult(CycleSaveResult.Saved);
        }

        public Task ScheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken)
        {
            Due.Add((on, pensionerId));
            var after = AfterSchedule;
            AfterSchedule = null;
            after?.Invoke();
            return Task.CompletedTask;
        }

        public Task UnscheduleAsync(DateOnly on, string pensionerId, CancellationToken cancellationToken)
        {
            Due.Remove((on, pensionerId));
            return Task.CompletedTask;
        }

        public IAsyncEnumerable<string> ListDueAsync(DateOnly on, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<ScanWatermark?> GetWatermarkAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> TryAdvanceWatermarkAsync(DateOnly completedOn, ScanWatermark? expected, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
