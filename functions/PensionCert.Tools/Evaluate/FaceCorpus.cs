using System.Globalization;
using CsvHelper;

namespace PensionCert.Tools;

/// <summary>One row of MANIFEST.csv (only the columns the evaluation needs).</summary>
/// <param name="Path">Photo path relative to the corpus folder.</param>
/// <param name="Identity">LFW-style identity, or <c>unknown</c>.</param>
/// <param name="Kind">live, spoof, noface, multiface or rotated.</param>
internal sealed record ManifestRow(string Path, string Identity, string Kind)
{
    /// <summary>The first path segment: lfw, deepface, face_recognition, fgnet, asian_faces, ...</summary>
    public string Source => Path.Split('/')[0];
}

/// <summary>One row of PAIRS.csv; <paramref name="Fold"/> from its optional <c>fold</c> column (0 when absent).</summary>
internal sealed record PairRow(string PathA, string PathB, bool Same, int Fold = 0)
{
    public string Source => PathA.Split('/')[0];
}

/// <summary>Reads MANIFEST.csv and PAIRS.csv of a folder laid out like shared/faces (RFC 4180 CSV, quoted commas in notes).</summary>
internal sealed record FaceCorpus(DirectoryInfo Root, IReadOnlyList<ManifestRow> Manifest, IReadOnlyList<PairRow> Pairs)
{
    public static FaceCorpus Load(DirectoryInfo root)
    {
        var manifest = Read(Path.Combine(root.FullName, "MANIFEST.csv"),
            csv => new ManifestRow(csv.GetField("path")!, csv.GetField("identity")!, csv.GetField("kind")!));
        return new FaceCorpus(root, manifest, LoadPairs(root));
    }

    /// <summary>PAIRS.csv alone (the protocol mode needs no manifest); the <c>fold</c> column is read when present.</summary>
    public static List<PairRow> LoadPairs(DirectoryInfo root) => Read(Path.Combine(root.FullName, "PAIRS.csv"), csv => new PairRow(
        csv.GetField("path_a")!, csv.GetField("path_b")!, csv.GetField("same") == "1",
        csv.HeaderRecord!.Contains("fold") ? int.Parse(csv.GetField("fold")!, CultureInfo.InvariantCulture) : 0));

    private static List<T> Read<T>(string path, Func<CsvReader, T> map)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var rows = new List<T>();
        while (csv.Read()) rows.Add(map(csv));
        return rows;
    }
}
