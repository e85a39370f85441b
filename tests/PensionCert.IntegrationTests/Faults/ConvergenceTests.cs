using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Evidence;
using PensionCert.Core.Identity;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;
using PensionCert.IntegrationTests.Cycle;
using PensionCert.Tests.Shared;
using Xunit.Abstractions;

namespace PensionCert.IntegrationTests.Faults;

/// <summary>
/// Issue #10 item 3: every multi-step write converges. For each flow the fault-free run is recorded, then the flow is
/// run again (for a new pensioner, from the same clock) with a fault injected at each of its storage calls in turn —
/// the call failing, and the call succeeding with its response lost (a timeout, or the conflict a storage client's
/// retry of a landed conditional write produces) — and retried as its caller would. The end state must equal the
/// fault-free one: the same profile, references, due-date entries, outbox events, certification and in-flight rows.
/// Real Azurite, real face models, real photos.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ConvergenceTests(FaultFixture f, ITestOutputHelper output)
{
    private static readonly OperatorPrincipal Admin = new("fault-admin", OperatorRole.Admin, ["120000"]);
    private static readonly OperatorPrincipal Integration = new("fault-integration", OperatorRole.Integration, ["120000"]);
    private static int _serial;

    /// <summary>One flow: <c>Setup</c> (no faults) returns the pensioner; <c>Act</c> runs attempt n of the faulted step.</summary>
    private sealed record Flow(string Name, Func<Task<FlowRun>> Setup)
    {
        /// <summary>How long the caller waits before retrying (a keyed submission still "in progress" needs 30 s).</summary>
        public TimeSpan RetryAfter { get; init; }

        /// <summary>True when the flow ends with nothing of the pensioner stored (erasure).</summary>
        public bool EndsEmpty { get; init; }
    }

    private sealed record FlowRun(string PensionerId, Func<int, Task> Act);

    private static string NewIdNumber(string region) =>
        CitizenIdNumber.WithCheckCharacter(region + new DateOnly(1941, 1, 1).AddDays(Random.Shared.Next(0, 7000)).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)
            + (Interlocked.Increment(ref _serial) % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<string> EnrolAsync(string idNumber)
    {
        var result = await f.Get<EnrollmentService>().EnrollAsync(new EnrollPensionerCommand(idNumber, "测试人员", idNumber[..6], SharedFaces.Read(Photos.GenuineReference)), CancellationToken.None);
        return result.PensionerId;
    }

    /// <summary>A pensioner stored with the given standing, last certified about 14 months ago.</summary>
    private async Task<string> SeedAsync(PensionerStanding standing)
    {
        var id = CitizenIdNumber.Parse(NewIdNumber("120105"), new DateOnly(2030, 1, 1));
        var now = f.Clock.GetUtcNow();
        var profile = await TestPensioners.NewProfileAsync(f.Services, id, "120105", now.AddDays(-800)) with
        {
            LastCertifiedAt = now.AddDays(-430),
            ValidUntil = ChinaTime.ToChinaDate(now.AddDays(-65)),
            Standing = standing,
            InvestigationOpenedOn = ChinaTime.ToChinaDate(now.AddDays(-64)),
            SuspendedOn = standing == PensionerStanding.Suspended ? ChinaTime.ToChinaDate(now.AddDays(-3)) : null,
            BirthMonth = id.BirthDate.Month,
        };
        await f.Get<IPensionerRepository>().SaveEnrollmentAsync(profile, null, CancellationToken.None);
        return profile.PensionerId;
    }

    [Fact]
    public Task FirstEnrollment_FaultAtEachStorageCall_ConvergesToOneProfileOneReferenceOneDueEntry() => AssertConvergesAsync(new("first enrollment", async () =>
    {
        var idNumber = NewIdNumber("120105");
        var hash = f.Get<IIdNumberHasher>().Hash(CitizenIdNumber.Parse(idNumber, new DateOnly(2030, 1, 1)));
        // The identity claim is made here only to know the pensioner id; the enrollment claims it again (same id).
        return new FlowRun(await PensionerIdOf(hash), async _ =>
            await f.Get<EnrollmentService>().EnrollAsync(new EnrollPensionerCommand(idNumber, "测试人员", "120105", SharedFaces.Read(Photos.GenuineReference)), CancellationToken.None));
    }));

    private async Task<string> PensionerIdOf(string hash) => await f.Get<IPensionerRepository>().ClaimIdAsync(hash, Ids.NewPensionerId(), CancellationToken.None);

    [Fact]
    public Task ReEnrollment_FaultAtEachStorageCall_ConvergesToVersionTwoWithVersionOneInHistory() => AssertConvergesAsync(new("re-enrollment", async () =>
    {
        var idNumber = NewIdNumber("120105");
        var pensionerId = await EnrolAsync(idNumber);
        return new FlowRun(pensionerId, async _ =>
            await f.Get<EnrollmentService>().EnrollAsync(new EnrollPensionerCommand(idNumber, "测试人员", "120105", SharedFaces.Read(Photos.GenuineProbe)), CancellationToken.None));
    }));

    [Fact]
    public Task Submission_WithIdempotencyKey_FaultAtEachStorageCall_ConvergesToOnePendingCertification() => AssertConvergesAsync(new("submission", async () =>
    {
        var pensionerId = await EnrolAsync(NewIdNumber("120105"));
        var client = "fault-client-" + Guid.NewGuid().ToString("N");
        var service = f.Get<CertificationService>();
        return new FlowRun(pensionerId, async _ =>
        {
            await using var photo = File.OpenRead(SharedFaces.PathOf(Photos.GenuineProbe));
            var staged = await service.StagePhotoAsync(photo, pensionerId, CancellationToken.None);
            await service.SubmitAsync(new SubmitCertificationCommand(null, pensionerId, "wechat", "key-1", client), staged, null, CancellationToken.None);
        });
    }) { RetryAfter = TimeSpan.FromSeconds(31) }, checkSelfies: true);

    [Fact]
    public Task Decision_FaultAtEachStorageCall_ConvergesToOneApprovalAndOneNewYear() => AssertConvergesAsync(new("decision", async () =>
    {
        var pensionerId = await EnrolAsync(NewIdNumber("120105"));
        var service = f.Get<CertificationService>();
        await using var photo = File.OpenRead(SharedFaces.PathOf(Photos.GenuineProbe));
        var staged = await service.StagePhotoAsync(photo, pensionerId, CancellationToken.None);
        var submitted = await service.SubmitAsync(new SubmitCertificationCommand(null, pensionerId, "wechat", null, "fault-client"), staged, null, CancellationToken.None);
        var message = new VerificationMessage(submitted.Record.CertificationId);
        var insertedOn = f.Clock.GetUtcNow();
        // Each attempt is a queue delivery (the dequeue count grows).
        return new FlowRun(pensionerId, attempt => f.Get<CertificationProcessor>().ProcessAsync(message, new QueueDelivery(attempt, insertedOn), CancellationToken.None));
    }));

    [Fact]
    public Task Rejection_FaultAtEachStorageCall_ConvergesToOneRejectionOneFailedAttemptOneAnnouncement() => AssertConvergesAsync(new("rejection", async () =>
    {
        // The intent, the failed-attempt row and certification.rejected are one transaction; the day's count follows.
        var pensionerId = await EnrolAsync(NewIdNumber("120105"));
        var service = f.Get<CertificationService>();
        await using var photo = File.OpenRead(SharedFaces.PathOf(Photos.Impostor));
        var staged = await service.StagePhotoAsync(photo, pensionerId, CancellationToken.None);
        var submitted = await service.SubmitAsync(new SubmitCertificationCommand(null, pensionerId, "wechat", null, "fault-client"), staged, null, CancellationToken.None);
        var message = new VerificationMessage(submitted.Record.CertificationId);
        var insertedOn = f.Clock.GetUtcNow();
        return new FlowRun(pensionerId, attempt => f.Get<CertificationProcessor>().ProcessAsync(message, new QueueDelivery(attempt, insertedOn), CancellationToken.None));
    }));

    [Fact]
    public Task CycleChange_CertificationOfASuspendedPensioner_FaultAtEachStorageCall_ConvergesToResumedAndScheduled() => AssertConvergesAsync(new("certification of a suspended pensioner", async () =>
    {
        var pensionerId = await SeedAsync(PensionerStanding.Suspended);
        var certifiedAt = f.Clock.GetUtcNow();
        return new FlowRun(pensionerId, async _ =>
            await f.Get<CycleService>().RecordCertifiedAsync(pensionerId, certifiedAt, new CertificationOrigin("wechat", "c" + new string('1', 32)), CancellationToken.None));
    }));

    [Fact]
    public Task CycleChange_CertificationUnderInvestigation_FaultAtEachStorageCall_ConvergesToClosedAndScheduled() => AssertConvergesAsync(new("certification under investigation", async () =>
    {
        var pensionerId = await SeedAsync(PensionerStanding.UnderInvestigation);
        var certifiedAt = f.Clock.GetUtcNow();
        return new FlowRun(pensionerId, async _ =>
            await f.Get<CycleService>().RecordCertifiedAsync(pensionerId, certifiedAt, new CertificationOrigin("wechat", "c" + new string('2', 32)), CancellationToken.None));
    }));

    [Fact]
    public Task Evidence_ProofOfLife_FaultAtEachStorageCall_ConvergesToOneSilentCertification() => AssertConvergesAsync(new("evidence", async () =>
    {
        var idNumber = NewIdNumber("120105");
        var pensionerId = await EnrolAsync(idNumber);
        // Dated the enrolment day: evidence dated before enrolment is refused (issue 11).
        var day = ChinaTime.ToChinaDate(f.Clock.GetUtcNow()).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return new FlowRun(pensionerId, async _ =>
        {
            var report = await f.Get<EvidenceImportService>().ImportAsync(Records(new EvidenceRecord(1, idNumber, "medical-settlement", day, "medical-insurance")), Integration, CancellationToken.None);
            Assert.Contains(report.Results.Single().Result, new[] { EvidenceResults.Certified, EvidenceResults.AlreadyApplied });
        });
    }));

    [Fact]
    public Task Erasure_FaultAtEachStorageCall_ConvergesToNothingLeft() => AssertConvergesAsync(new("erasure", async () =>
    {
        var pensionerId = await EnrolAsync(NewIdNumber("120105"));
        var service = f.Get<CertificationService>();
        await using var photo = File.OpenRead(SharedFaces.PathOf(Photos.GenuineProbe));
        var staged = await service.StagePhotoAsync(photo, pensionerId, CancellationToken.None);
        var submitted = await service.SubmitAsync(new SubmitCertificationCommand(null, pensionerId, "wechat", null, "fault-client"), staged, null, CancellationToken.None);
        await f.Get<CertificationProcessor>().ProcessAsync(new VerificationMessage(submitted.Record.CertificationId), new QueueDelivery(1, f.Clock.GetUtcNow()), CancellationToken.None);
        await EndedPensioners.MarkTransferredAsync(f.Services, pensionerId);
        return new FlowRun(pensionerId, async attempt =>
        {
            try
            {
                await f.Get<PensionerAdministrationService>().EraseAsync(pensionerId, Admin, CancellationToken.None);
            }
            catch (Core.Errors.ProblemException ex) when (attempt > 1 && ex.Problem == Core.Errors.ProblemTypes.PensionerNotFound)
            {
                // The first attempt finished everything but its answer was lost: to its caller the pensioner is gone.
            }
        });
    }) { EndsEmpty = true });

    private static async IAsyncEnumerable<EvidenceRecord> Records(params EvidenceRecord[] records)
    {
        foreach (var r in records) yield return r;
        await Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="flow"/> fault-free, then with each fault at each of its storage calls, comparing end states.</summary>
    private async Task AssertConvergesAsync(Flow flow, bool checkSelfies = false)
    {
        var (expected, calls, _) = await RunOnceAsync(flow, null, FaultMode.Failed);
        output.WriteLine($"{flow.Name}: {calls.Count} storage calls: {string.Join(", ", calls)}");
        Assert.Equal(flow.EndsEmpty, expected.Count == 0);
        var runs = 0;
        for (var at = 1; at <= calls.Count; at++)
        {
            var modes = StorageFaults.ConditionalWrites.Contains(calls[at - 1].Split('.')[1])
                ? new[] { FaultMode.Failed, FaultMode.LostResponse, FaultMode.LostResponseConflict }
                : new[] { FaultMode.Failed, FaultMode.LostResponse };
            foreach (var mode in modes)
            {
                var (actual, _, leftSelfies) = await RunOnceAsync(flow, at, mode);
                runs++;
                Assert.True(expected.SequenceEqual(actual),
                    $"{flow.Name}, {mode} at call {at} ({calls[at - 1]}); retried: {string.Join(" | ", f.Retried)}\nexpected\n  {string.Join("\n  ", expected)}\nactual\n  {string.Join("\n  ", actual)}");
                if (checkSelfies) Assert.True(leftSelfies == 0, $"{flow.Name}, {mode} at call {at} ({calls[at - 1]}): {leftSelfies} selfie(s) left behind");
            }
        }
        output.WriteLine($"{flow.Name}: {runs} faulted runs converged");
    }

    private async Task<(List<string> State, IReadOnlyList<string> Calls, int LeftSelfies)> RunOnceAsync(Flow flow, int? failAt, FaultMode mode)
    {
        f.ResetClock();
        f.Faults.Disarm();
        var run = await flow.Setup();
        var before = await f.SelfiesAsync();
        f.Retried.Clear();
        var calls = await f.RunAsync(run.Act, failAt, mode, flow.RetryAfter);
        var after = await f.SelfiesAsync();
        // Selfies new since the setup that no certification of this pensioner names.
        var state = await f.SnapshotAsync(run.PensionerId);
        var referenced = state.Count(l => l.StartsWith("selfie True", StringComparison.Ordinal));
        var left = after.Except(before).Count() - referenced;
        return (state, calls, Math.Max(0, left));
    }
}
