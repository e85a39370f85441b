using System.Diagnostics;
using PensionCert.Core.Definitions;
using Xunit.Abstractions;

namespace PensionCert.IntegrationTests;

/// <summary>
/// The storage round trips of one accepted submission and one verification, counted by the storage clients' pipeline
/// policy (<c>StorageCallCounter</c>) in the real host on Azurite and read from the spans they are tagged on
/// (issue 15: at most 4 per accepted submission and 5 per verification). Exact numbers, so a regression fails.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class StorageCallCountTests(TelemetryFixture host, ITestOutputHelper output)
{
    /// <summary>
    /// Approved (the probe also qualifies as a live reference), 8: the record, the profile with the certification's
    /// index row (one partition query) and the selfie read; the outbox pointer; the cycle transaction (profile with the
    /// live reference, outbox row, the decision in the index row); the due-date row; the decision; the live reference
    /// audited. Rejected, 8: the same without the audit, the failed attempt in the cycle transaction and the day's
    /// rejections counted after it. The submission by ID number, 6: identity, selfie (one Put Blob, named by its minute
    /// so neither an in-flight row nor a retention row is written), profile with the day's rejections, index row,
    /// message, record.
    /// </summary>
    [Theory]
    [InlineData(Photos.GenuineProbe, "Approved", 6, 8)]
    [InlineData(Photos.Impostor, "Rejected", 6, 8)]
    public async Task OneSubmission_AndItsVerification_MakeTheCountedRoundTrips(string probe, string status, int submissionCalls, int verificationCalls)
    {
        var id = TestIdNumbers.New("440305");
        await host.EnrollOkAsync(id, Photos.GenuineReference);

        var certificationId = await host.SubmitOkAsync(id, probe);
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal(status, decided.GetProperty("status").GetString());

        var submit = await WaitForSpanAsync(s => s.DisplayName == TelemetryNames.Spans.Submit && Equals(s.GetTagItem(TelemetryNames.SpanAttributes.CertificationId), certificationId));
        var server = await WaitForSpanAsync(s => s.SpanId == submit.ParentSpanId && s.GetTagItem(TelemetryNames.SpanAttributes.StorageCalls) is not null);
        var verify = await WaitForSpanAsync(s => s.DisplayName == TelemetryNames.Spans.Verify && Equals(s.GetTagItem(TelemetryNames.SpanAttributes.CertificationId), certificationId)
            && s.GetTagItem(TelemetryNames.SpanAttributes.StorageCalls) is not null);
        var (submission, submissionRequests) = Calls(server);
        var (verification, verificationRequests) = Calls(verify);
        output.WriteLine($"submission {submission}: {string.Join(", ", submissionRequests)}");
        output.WriteLine($"verification {verification}: {string.Join(", ", verificationRequests)}");

        // The count and the described list agree (every counted request is described), and the count is exact.
        Assert.Equal(submission, submissionRequests.Length);
        Assert.Equal(verification, verificationRequests.Length);
        Assert.True(submission == submissionCalls, $"submission {submission} (expected {submissionCalls}): {string.Join(", ", submissionRequests)}");
        Assert.True(verification == verificationCalls, $"verification {verification} (expected {verificationCalls}): {string.Join(", ", verificationRequests)}");
        Assert.Single(submissionRequests, r => r.StartsWith("PUT selfies", StringComparison.Ordinal));
        Assert.DoesNotContain(submissionRequests.Concat(verificationRequests), r => r.Contains("InFlightCertifications", StringComparison.Ordinal) || r.Contains("SelfieRetention", StringComparison.Ordinal));
        // The approval's cycle change starts from the profile the verification read: the pensioner is read once.
        if (status == "Approved") Assert.Single(verificationRequests, r => r.StartsWith("GET Pensioners", StringComparison.Ordinal));
    }

    private static (long Count, string[] Requests) Calls(Activity span) =>
        (Convert.ToInt64(span.GetTagItem(TelemetryNames.SpanAttributes.StorageCalls), System.Globalization.CultureInfo.InvariantCulture),
         span.GetTagItem(TelemetryNames.SpanAttributes.StorageRequests) as string[] ?? []);

    private async Task<Activity> WaitForSpanAsync(Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (host.Spans.Snapshot().FirstOrDefault(match) is { } span) return span;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The span was not exported.");
            await Task.Delay(100);
        }
    }
}
