using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Cycle;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>
/// Erase and re-enrol: erasure is refused while the pensioner still draws a pension, leaves a tombstone keyed by the
/// ID number hash, and keeps the payment changes already issued to payroll; a deceased pensioner's ID number cannot
/// be enrolled again after erasure, and a transferred one only when a second admin confirms the same re-enrolment.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class ErasureFourEyesTests(LocalHostFixture host)
{
    private const string Region = "110109";
    private readonly FourEyesClient _client = new(host, Region);

    [Fact]
    public async Task PensionerStillDrawingAPension_IsNotErased()
    {
        var pensionerId = await host.EnrollOkAsync(TestIdNumbers.New(Region), Photos.GenuineReference);
        var admin = _client.Operator(OperatorRole.Admin, "admin-eraser-active");
        await FourEyesClient.AssertProblemAsync(await _client.DeleteAsync($"/api/pensioners/{pensionerId}", admin), HttpStatusCode.Conflict, "erasure-while-drawing-pension");
        Assert.NotNull(await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None));
    }

    [Fact]
    public async Task DeceasedPensioner_Erased_ClerkGets409Deceased_OneAdminAloneCreatesNothing_PaymentStopSurvives()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var profile = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        var enrolled = DateTimeOffset.UtcNow.AddYears(-2);
        await _client.Pensioners.UpdateAsync(profile with { EnrolledAt = enrolled, FirstEnrolledAt = enrolled }, CancellationToken.None);
        var died = ChinaTime.Today(TimeProvider.System).AddDays(-10);
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, died.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await host.App.Services.GetRequiredService<OutboxDispatcher>().DispatchAsync(CancellationToken.None);
        Assert.True(await HasStopAsync(pensionerId, died));

        using (var erased = await _client.DeleteAsync($"/api/pensioners/{pensionerId}", _client.Operator(OperatorRole.Admin, "admin-eraser-deceased")))
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);

        // Payroll's record of the stop stays; the tombstone holds no personal data beyond the hash.
        Assert.True(await HasStopAsync(pensionerId, died));
        var tombstone = await _client.Pensioners.GetErasedAsync(profile.IdNumberHash, CancellationToken.None);
        Assert.Equal((PensionerStanding.Deceased, "admin-eraser-deceased"), (tombstone!.Standing, tombstone.ErasedBy));

        // A clerk is refused, and told the path that exists (two admins), not a correction of an erased record.
        var clerk = _client.Operator(OperatorRole.Clerk, "clerk-reviver");
        using (var refused = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), clerk))
        {
            var problem = await FourEyesClient.JsonAsync(refused, HttpStatusCode.Conflict);
            Assert.Equal("pensioner-deceased", problem.GetProperty("code").GetString());
            Assert.Equal(Core.Enrollment.ErasedIdentityGate.ErasedDeceasedDetail, problem.GetProperty("detail").GetString());
            Assert.Contains("两名管理员", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        // One admin alone, even asking twice, creates nothing: the request waits for a second admin.
        var reviver = _client.Operator(OperatorRole.Admin, "admin-reviver");
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), reviver), HttpStatusCode.Conflict, "re-enrollment-needs-second-operator");
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Impostor), reviver), HttpStatusCode.Conflict, "re-enrollment-needs-second-operator");
        Assert.Null(await _client.Pensioners.FindIdAsync(profile.IdNumberHash, CancellationToken.None));
        Assert.Equal("admin-reviver", (await _client.Pensioners.GetErasedAsync(profile.IdNumberHash, CancellationToken.None))!.ReEnrollmentRequestedBy);
    }

    [Fact]
    public async Task DeceasedPensionerErased_WrongDeath_TwoAdminsReEnrolTheLivingPerson_NewPensionerCertifiesAgain()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        var profile = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!;
        var enrolled = DateTimeOffset.UtcNow.AddYears(-2);
        await _client.Pensioners.UpdateAsync(profile with { EnrolledAt = enrolled, FirstEnrolledAt = enrolled }, CancellationToken.None);
        await host.MarkDeceasedWithSecondAdminAsync(pensionerId, ChinaTime.Today(TimeProvider.System).AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        using (var erased = await _client.DeleteAsync($"/api/pensioners/{pensionerId}", _client.Operator(OperatorRole.Admin, "admin-eraser-wrong")))
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        // The profile a status reversal needs is gone.
        await FourEyesClient.AssertProblemAsync(await _client.PostAsync($"/api/pensioners/{pensionerId}/status-reversals", new { reason = "误报死亡" }, _client.Operator(OperatorRole.Admin, "admin-a")), HttpStatusCode.NotFound, "pensioner-not-found");

        // The person comes to the counter: admin A records the re-enrolment with a photo taken there, admin B checks and confirms it.
        var face = FourEyesClient.Photo(Photos.GenuineReference);
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, face, _client.Operator(OperatorRole.Admin, "admin-a")), HttpStatusCode.Conflict, "re-enrollment-needs-second-operator");
        using var confirmed = await _client.EnrollAsync(id, face, _client.Operator(OperatorRole.Admin, "admin-b"));
        var body = await FourEyesClient.JsonAsync(confirmed, HttpStatusCode.Created);
        var revived = body.GetProperty("pensionerId").GetString()!;
        Assert.NotEqual(pensionerId, revived);
        Assert.Equal(revived, await _client.Pensioners.FindIdAsync(profile.IdNumberHash, CancellationToken.None));
        Assert.Equal(PensionerStanding.Active, (await _client.Pensioners.GetAsync(revived, CancellationToken.None))!.Standing);

        // The living person certifies again with a selfie.
        var selfie = await host.PollDecidedAsync(await host.SubmitOkAsync(id, Photos.GenuineProbe));
        Assert.Equal("Approved", selfie.GetProperty("status").GetString());
        Assert.Equal("Valid", (await host.GetJsonAsync($"/api/pensioners/{revived}/eligibility", LocalHostFixture.ClientKeyHeader)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task TransferredPensioner_ErasedThenReEnrolled_OnlyWhenASecondAdminConfirmsTheSameRequest()
    {
        var id = TestIdNumbers.New(Region);
        var pensionerId = await host.EnrollOkAsync(id, Photos.GenuineReference);
        await EndedPensioners.MarkTransferredAsync(host.App.Services, pensionerId);
        var hash = (await _client.Pensioners.GetAsync(pensionerId, CancellationToken.None))!.IdNumberHash;
        var requester = _client.Operator(OperatorRole.Admin, "admin-requester");
        using (var erased = await _client.DeleteAsync($"/api/pensioners/{pensionerId}", requester))
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);

        var face = FourEyesClient.Photo(Photos.Impostor);
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, face, requester), HttpStatusCode.Conflict, "re-enrollment-needs-second-operator");
        // The requester alone, asking again, still creates nothing; nor does a clerk "confirming" it.
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, face, requester), HttpStatusCode.Conflict, "re-enrollment-needs-second-operator");
        Assert.Null(await _client.Pensioners.FindIdAsync(hash, CancellationToken.None));
        await FourEyesClient.AssertProblemAsync(await _client.EnrollAsync(id, face, _client.Operator(OperatorRole.Clerk, "clerk-confirmer")), HttpStatusCode.Conflict, "re-enrollment-needs-second-operator");
        Assert.Null(await _client.Pensioners.FindIdAsync(hash, CancellationToken.None));

        // A second admin submitting the same enrolment (same photo, name and region) creates the pensioner.
        using var confirmed = await _client.EnrollAsync(id, face, _client.Operator(OperatorRole.Admin, "admin-confirmer"));
        var body = await FourEyesClient.JsonAsync(confirmed, HttpStatusCode.Created);
        Assert.NotEqual(pensionerId, body.GetProperty("pensionerId").GetString());
        Assert.NotNull(await _client.Pensioners.FindIdAsync(hash, CancellationToken.None));
    }

    /// <summary>True when the region's payment changes of the death's month or this month list the pensioner's stop.</summary>
    private async Task<bool> HasStopAsync(string pensionerId, DateOnly died)
    {
        foreach (var month in new[] { died, ChinaTime.Today(TimeProvider.System) }.Select(d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture)).Distinct())
        {
            var changes = await host.GetJsonAsync($"/api/regions/{Region}/payment-changes?month={month}", LocalHostFixture.OperatorKeyHeader);
            if (changes.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("pensionerId").GetString() == pensionerId && c.GetProperty("kind").GetString() == "stopped"))
                return true;
        }
        return false;
    }
}
