using Azure.Data.Tables;
using PensionCert.Core.Certification;
using PensionCert.Core.Enrollment;
using PensionCert.Core.Identity;
using PensionCert.Core.Storage;
using PensionCert.Tests.Shared;

namespace PensionCert.IntegrationTests.Faults;

/// <summary>
/// Every decision is announced (issue 11), also an approval that changes nothing in the cycle: two selfies (two photos of the same person) submitted,
/// the later one decided first, then the earlier one (its approval is older than the last certification). Real Azurite,
/// real models, real photos.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class AnnouncementTests(FaultFixture f)
{
    [Fact]
    public async Task OlderSubmissionApprovedAfterANewerOne_IsAnnouncedToo_EachApprovalOnce()
    {
        var idNumber = CitizenIdNumber.WithCheckCharacter("120105" + "19500314" + "771");
        var enrolled = await f.Get<EnrollmentService>().EnrollAsync(new EnrollPensionerCommand(idNumber, "测试人员", "120105", SharedFaces.Read(Photos.GenuineReference)), CancellationToken.None);
        var earlier = await SubmitAsync(enrolled.PensionerId, "deepface/img6.jpg");
        f.Clock.Advance(TimeSpan.FromMinutes(2));
        var later = await SubmitAsync(enrolled.PensionerId, Photos.GenuineProbe);

        await ProcessAsync(later);
        await ProcessAsync(earlier);
        await ProcessAsync(earlier); // a redelivery announces nothing again

        var certifications = f.Get<ICertificationRepository>();
        Assert.Equal(CertificationStatus.Approved, (await certifications.GetAsync(earlier, CancellationToken.None))!.Status);
        Assert.Equal(CertificationStatus.Approved, (await certifications.GetAsync(later, CancellationToken.None))!.Status);
        var approvals = new List<string>();
        await foreach (var e in f.Storage.Pensioners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {enrolled.PensionerId}")))
            if (e.RowKey.StartsWith("outbox-", StringComparison.Ordinal) && e.GetString("Type") == "certification.approved")
                approvals.Add(e.GetString("Data") ?? e.RowKey);
        Assert.Equal(2, approvals.Count);
        Assert.Single(approvals, a => a.Contains(earlier, StringComparison.Ordinal));
        Assert.Single(approvals, a => a.Contains(later, StringComparison.Ordinal));
    }

    private async Task<string> SubmitAsync(string pensionerId, string photoPath)
    {
        var service = f.Get<CertificationService>();
        await using var photo = File.OpenRead(SharedFaces.PathOf(photoPath));
        var staged = await service.StagePhotoAsync(photo, pensionerId, CancellationToken.None);
        var submitted = await service.SubmitAsync(new SubmitCertificationCommand(null, pensionerId, "wechat", null, "announce-client"), staged, null, CancellationToken.None);
        return submitted.Record.CertificationId;
    }

    private Task ProcessAsync(string certificationId) =>
        f.Get<CertificationProcessor>().ProcessAsync(new VerificationMessage(certificationId), new QueueDelivery(1, f.Clock.GetUtcNow()), CancellationToken.None);
}
