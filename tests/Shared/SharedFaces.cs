namespace PensionCert.Tests.Shared;

/// <summary>
/// Locates the shared face corpus (<c>shared/faces</c> beside the repository): <c>PENSIONCERT_FACES_DIR</c> if set,
/// else the first ancestor of the test binaries that holds <c>shared/faces/MANIFEST.csv</c>. Tests fail, never skip,
/// when it is missing.
/// </summary>
public static class SharedFaces
{
    private static readonly Lazy<string> RootPath = new(Locate);

    /// <summary>The corpus folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>Full path of a corpus file given its path relative to the corpus (as in MANIFEST.csv).</summary>
    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    /// <summary>The bytes of a corpus file.</summary>
    public static byte[] Read(string relativePath) => File.ReadAllBytes(PathOf(relativePath));

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PENSIONCERT_FACES_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(Path.Combine(fromEnvironment, "MANIFEST.csv"))
                ? fromEnvironment
                : throw new InvalidOperationException($"PENSIONCERT_FACES_DIR={fromEnvironment} has no MANIFEST.csv.");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "faces");
            if (File.Exists(Path.Combine(candidate, "MANIFEST.csv"))) return candidate;
        }
        throw new InvalidOperationException("The face corpus shared/faces was not found beside the repository; set PENSIONCERT_FACES_DIR.");
    }
}
