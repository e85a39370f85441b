namespace PensionCert.Http;

/// <summary>
/// The OpenAPI 3 document of the HTTP API: <c>openapi.json</c> beside this class, checked into the repository and
/// embedded in the assembly, served unchanged at <c>GET /api/openapi.json</c> by both hosts. Its <c>servers</c>
/// entry is the relative URL <c>/api</c>, so tools resolve it against the host that served the document. A test
/// compares its paths and methods with the routes the local host serves, and its enums with the C# catalogues.
/// </summary>
public static class OpenApiContract
{
    /// <summary>The manifest resource name of the document.</summary>
    public const string ResourceName = "PensionCert.Http.openapi.json";

    /// <summary>The content type it is served with.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly Lazy<byte[]> Document = new(Load);

    /// <summary>The document as UTF-8 JSON bytes (loaded once).</summary>
    public static byte[] Utf8Json => Document.Value;

    private static byte[] Load()
    {
        using var stream = typeof(OpenApiContract).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(OpenApiContract).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
