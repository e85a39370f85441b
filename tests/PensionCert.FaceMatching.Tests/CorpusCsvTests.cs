namespace PensionCert.FaceMatching.Tests;

/// <summary>MANIFEST.csv holds quoted commas (246 of 319 licences, 94 notes): columns are read by name with an RFC 4180 reader.</summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class CorpusCsvTests(FaceCorpusFixture corpus)
{
    private static readonly string[] Kinds = ["live", "spoof", "noface", "multiface", "rotated"];

    [Fact]
    public void ReadManifest_QuotedCommas_EveryRowParsedByColumn()
    {
        var lines = File.ReadLines(Path.Combine(corpus.Root, "MANIFEST.csv")).Count(l => l.Length > 0) - 1;
        Assert.Equal(lines, corpus.Photos.Count);
        Assert.Contains(File.ReadLines(Path.Combine(corpus.Root, "MANIFEST.csv")), l => l.Contains("\"", StringComparison.Ordinal));
        foreach (var photo in corpus.Photos)
        {
            Assert.Contains(photo.Kind, Kinds);
            Assert.Matches("^[0-9a-f]{64}$", photo.Sha256); // a column after the licence, which often holds commas
            Assert.True(File.Exists(Path.Combine(corpus.Root, photo.Path)), photo.Path);
            Assert.True(photo.ExifOrientation is null or (>= 1 and <= 8), $"{photo.Path}: {photo.ExifOrientation}");
        }
        // The EXIF-rotated sample is tagged 6 in the manifest (a column a naive split misreads on quoted licences).
        Assert.Equal(6, corpus.Photos.Single(p => p.Kind == "rotated").ExifOrientation);
    }
}
