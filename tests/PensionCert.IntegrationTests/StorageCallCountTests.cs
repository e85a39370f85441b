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
    /// Approved (the probe also qualifies as a live reference), 5: the profile, the record and the last two days'
    /// rejections (one partition query), the selfie, the outbox pointer, the cycle transaction (profile with the live
    /// reference, outbox row carrying the live reference's audit entry, the record with its final status), the next
    /// due-date row. Rejected, 5: the same, the failed-attempt row in the transaction (the day's count was read with the
    /// profile, so none follows). The submission by ID number, 5: identity, profile with the day's rejections, selfie
    /// (one Put Blob, named by its minute so neither an in-flight row nor a retention row is written), message, record
    /// (in the pensioner's partition: it is the index row); a repeat by the same ID number, 4 (the identity is cached),
    /// as by pensioner id.
    /// </summary>
    [Theory]
    [InlineData(Photos.GenuineProbe, "Approved", 5, 4, 5)]
    [InlineData(Photos.Impostor, "Rejected", 5, 4, 5)]
    public async Task OneSubmission_AndItsVerification_MakeTheCountedRoundTrips(string probe, string status, int submissionCalls, int repeatCalls, int verificationCalls)
    {
        var id = TestIdNumbers.New("440305");
        await host.EnrollOkAsync(id, Photos.GenuineReference);

        var certificationId = await host.SubmitOkAsync(id, probe);
        var decided = await host.PollDecidedAsync(certificationId);
        Assert.Equal(status, decided.GetProperty("status").GetString());
        var repeatId = await host.SubmitOkAsync(id, probe);

        var (submission, submissionRequests) = await SubmissionCallsAsync(certificationId);
        var (repeat, repeatRequests) = await SubmissionCallsAsync(repeatId);
        var verify = await WaitForSpanAsync(s => s.DisplayName == TelemetryNames.Spans.Verify && Equals(s.GetTagItem(TelemetryNames.SpanAttributes.CertificationId), certificationId)
            && s.GetTagItem(TelemetryNames.SpanAttributes.StorageCalls) is not null);
        var (verification, verificationRequests) = Calls(verify);
        output.WriteLine($"submission {submission}: {string.Join(", ", submissionRequests)}");
        output.WriteLine($"repeat submission {repeat}: {string.Join(", ", repeatRequests)}");
        output.WriteLine($"verification {verification}: {string.Join(", ", verificationRequests)}");

        // The count and the described list agree (every counted request is described), and the count is exact.
        Assert.Equal(submission, submissionRequests.Length);
        Assert.Equal(repeat, repeatRequests.Length);
        Assert.Equal(verification, verificationRequests.Length);
        Assert.True(submission == submissionCalls, $"submission {submission} (expected {submissionCalls}): {string.Join(", ", submissionRequests)}");
        Assert.True(repeat == repeatCalls, $"repeat submission {repeat} (expected {repeatCalls}): {string.Join(", ", repeatRequests)}");
        Assert.True(verification == verificationCalls, $"verification {verification} (expected {verificationCalls}): {string.Join(", ", verificationRequests)}");
        Assert.Single(submissionRequests, r => r.StartsWith("PUT selfies", StringComparison.Ordinal));
        Assert.Single(submissionRequests, r => r.StartsWith("GET PensionerIdentities", StringComparison.Ordinal));
        Assert.DoesNotContain(repeatRequests, r => r.StartsWith("GET PensionerIdentities", StringComparison.Ordinal));
        // Nothing of the certification is in the Certifications table any more; the record is read and written in the
        // pensioner's partition, read once (with the profile) by the worker, and written once by each side.
        Assert.DoesNotContain(submissionRequests.Concat(verificationRequests), r => r.Split(' ')[1].StartsWith("Certifications", StringComparison.Ordinal));
        Assert.Single(verificationRequests, r => r.StartsWith("GET Pensioners", StringComparison.Ordinal));
        Assert.Single(verificationRequests, r => r.StartsWith("POST $batch", StringComparison.Ordinal));
        Assert.DoesNotContain(submissionRequests.Concat(repeatRequests).Concat(verificationRequests), r => r.Contains("InFlightCertifications", StringComparison.Ordinal) || r.Contains("SelfieRetention", StringComparison.Ordinal));
        // The live reference's audit entry is no request of the verification (it rides on the outbox row).
        Assert.DoesNotContain(verificationRequests, r => r.Contains("OperatorAudit", StringComparison.Ordinal));
    }

    private async Task<(long Count, string[] Requests)> SubmissionCallsAsync(string certificationId)
    {
        var submit = await WaitForSpanAsync(s => s.DisplayName == TelemetryNames.Spans.Submit && Equals(s.GetTagItem(TelemetryNames.SpanAttributes.CertificationId), certificationId));
        var server = await WaitForSpanAsync(s => s.SpanId == submit.ParentSpanId && s.GetTagItem(TelemetryNames.SpanAttributes.StorageCalls) is not null);
        return Calls(server);
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
