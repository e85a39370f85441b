using System.Net;
using PensionCert.Core.Operators;

namespace PensionCert.IntegrationTests.FourEyes;

/// <summary>A first enrolment captures the person at the counter: a photo of a photo is refused (422 reference-not-live) and nothing is stored.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class ReferenceLivenessTests(LocalHostFixture host)
{
    private const string Region = "110112";
    private readonly FourEyesClient _client = new(host, Region);

    [Theory]
    [InlineData("silent_face/image_F1.jpg")] // print attack (MANIFEST.csv: spoof)
    [InlineData("silent_face/image_F2.jpg")] // replay on a tablet screen (spoof)
    public async Task FirstEnrolmentWithASpoof_Refused422ReferenceNotLive_NothingStored(string spoof)
    {
        var id = TestIdNumbers.New(Region);
        var before = await host.SnapshotStoredAsync();
        using var response = await _client.EnrollAsync(id, FourEyesClient.Photo(spoof), _client.Operator(OperatorRole.Clerk, "clerk-photocopier"));
        await FourEyesClient.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "reference-not-live");
        await host.AssertNothingStoredSinceAsync(before);

        // The live photo of the same session (image_T1, stored sideways with EXIF orientation) is enrolled.
        using var live = await _client.EnrollAsync(id, FourEyesClient.Photo(Photos.Rotated), _client.Operator(OperatorRole.Clerk, "clerk-photocopier"));
        await FourEyesClient.JsonAsync(live, HttpStatusCode.Created);
    }
}
