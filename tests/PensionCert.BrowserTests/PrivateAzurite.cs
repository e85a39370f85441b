using PensionCert.Tests.Shared;

namespace PensionCert.BrowserTests;

/// <summary>
/// An Azurite of the browser tests' own (data in memory, <see cref="AzuriteProcess"/>), so the rows they seed never
/// meet the integration tests, which count rows and blobs in the suite's shared Azurite to prove that a refused request
/// stored nothing. Ports: see <see cref="BlobPort"/>.
/// </summary>
public sealed class PrivateAzurite : IAsyncDisposable
{
    private readonly AzuriteProcess _azurite = new(BlobPort, PortVariable);

    private const string PortVariable = "PENSIONCERT_BROWSER_AZURITE_PORT";

    /// <summary>
    /// Blob port (queue +1, table +2): <c>PENSIONCERT_BROWSER_AZURITE_PORT</c>, else the suite's Azurite blob port (from
    /// <c>PENSIONCERT_TEST_STORAGE</c>, which ./test.sh sets from <c>TEST_AZURITE_BLOB_PORT</c>) + 6, else 10106.
    /// </summary>
    public static int BlobPort { get; } = AzuriteProcess.ChoosePort(PortVariable, 6, 10106);

    /// <summary>The connection string of this Azurite (well-known development account).</summary>
    public static string ConnectionString => new AzuriteProcess(BlobPort, PortVariable).ConnectionString;

    /// <summary>Starts Azurite and waits until its three ports answer.</summary>
    public Task StartAsync() => _azurite.StartAsync(TimeSpan.FromSeconds(120));

    public ValueTask DisposeAsync() => _azurite.DisposeAsync();
}
