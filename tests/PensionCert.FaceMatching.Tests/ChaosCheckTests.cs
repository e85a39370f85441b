using PensionCert.Core.Certification;
using PensionCert.Tools;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// The counting rule of <c>chaos-check</c> (scripts/chaos.sh): every decided certification must have exactly one
/// certification.* event, the one of its status; a missing one means the pensioner was never told and fails the run.
/// </summary>
public sealed class ChaosCheckTests
{
    private static readonly string[] Ids = ["c01", "c02", "c03", "c04", "c05", "c06"];

    [Fact]
    public void EveryDecisionAnnouncedOnce_Passes()
    {
        var tally = ChaosCheck.Tally(Ids[..4], Statuses(CertificationStatus.Approved, CertificationStatus.Rejected, CertificationStatus.NeedsReview, CertificationStatus.Failed),
            Events(("c01", "certification.approved:e1"), ("c02", "certification.rejected:e2"), ("c03", "certification.needs-review:e3"), ("c04", "certification.failed:e4")), duplicates: 0);

        Assert.Equal((4, 4, 0, 0), (tally.Accepted, tally.Once, tally.Stuck, tally.Lost));
        Assert.Empty(tally.Lines);
        Assert.True(tally.Passed);
    }

    [Fact]
    public void DecidedWithoutAnEvent_IsReportedMissing_AndFails()
    {
        var tally = ChaosCheck.Tally(Ids[..2], Statuses(CertificationStatus.Approved, CertificationStatus.Rejected),
            Events(("c01", "certification.approved:e1")), duplicates: 0);

        Assert.Equal(1, tally.Once);
        Assert.Equal(["no decision event: c02 Rejected, expected certification.rejected"], tally.Lines);
        Assert.False(tally.Passed);
    }

    [Fact]
    public void TwoEvents_WrongEvent_Stuck_Lost_AreEachReported()
    {
        var tally = ChaosCheck.Tally(Ids[..5],
            new Dictionary<string, CertificationStatus?>
            {
                ["c01"] = CertificationStatus.Approved, ["c02"] = CertificationStatus.Failed, ["c03"] = CertificationStatus.Processing, ["c04"] = null,
                ["c05"] = CertificationStatus.Approved,
            },
            Events(("c01", "certification.approved:e1"), ("c01", "certification.rejected:e9"), ("c02", "certification.approved:e2"), ("c05", "certification.approved:e5")),
            duplicates: 1);

        Assert.Equal((5, 1, 1, 1, 1), (tally.Accepted, tally.Once, tally.Stuck, tally.Lost, tally.Duplicates));
        Assert.Equal(
        [
            "decided more than once: c01 Approved, events certification.approved:e1 certification.rejected:e9",
            "decision event does not match: c02 Failed, event certification.approved:e2, expected certification.failed",
            "stuck: c03 Processing",
            "lost: c04",
        ], tally.Lines);
        Assert.False(tally.Passed);
    }

    private static Dictionary<string, CertificationStatus?> Statuses(params CertificationStatus[] statuses) =>
        statuses.Select((s, i) => (Ids[i], s)).ToDictionary(p => p.Item1, p => (CertificationStatus?)p.s, StringComparer.Ordinal);

    private static Dictionary<string, HashSet<string>> Events(params (string Certification, string Event)[] events) =>
        events.GroupBy(e => e.Certification).ToDictionary(g => g.Key, g => g.Select(e => e.Event).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
}
