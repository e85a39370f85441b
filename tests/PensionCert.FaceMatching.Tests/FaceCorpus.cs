using System.Collections.Concurrent;
using System.Globalization;
using CsvHelper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;

namespace PensionCert.FaceMatching.Tests;

/// <summary>One MANIFEST.csv row (the columns the tests need).</summary>
public sealed record CorpusPhoto(string Path, string Identity, string Kind, int? ExifOrientation, string Sha256)
{
    public string Source => Path.Split('/')[0];
}

/// <summary>One PAIRS.csv row.</summary>
public sealed record CorpusPair(string PathA, string PathB, bool Same)
{
    public string Source => PathA.Split('/')[0];
}

/// <summary>
/// The shared face corpus (shared/faces beside the repository) and one analyzer built through <c>AddFaceMatching</c>,
/// shared by every test class. Fails, never skips, when the corpus is missing.
/// </summary>
public sealed class FaceCorpusFixture : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly ConcurrentDictionary<(string, FaceAnalysisPurpose), FaceAnalysis> _cache = new();

    public FaceCorpusFixture()
    {
        Root = PensionCert.Tests.Shared.SharedFaces.Root;
        Photos = ReadManifest(System.IO.Path.Combine(Root, "MANIFEST.csv"));
        Pairs = ReadPairs(System.IO.Path.Combine(Root, "PAIRS.csv"));

        var configuration = new ConfigurationBuilder().AddInMemoryCollection().Build();
        _services = new ServiceCollection()
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddFaceMatching(configuration).BuildServiceProvider(validateScopes: true);
        _services.GetRequiredService<IStartupValidator>().Validate();
        foreach (var hosted in _services.GetServices<IHostedService>()) hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        Analyzer = _services.GetRequiredService<FaceAnalyzer>();
        Status = _services.GetRequiredService<IFaceModelStatus>();
        Policy = new VerificationPolicy(Options.Create(new VerificationOptions()));
    }

    public string Root { get; }

    public IReadOnlyList<CorpusPhoto> Photos { get; }

    public IReadOnlyList<CorpusPair> Pairs { get; }

    public FaceAnalyzer Analyzer { get; }

    public IFaceModelStatus Status { get; }

    public VerificationPolicy Policy { get; }

    /// <summary>The quality options in force (the shipped defaults).</summary>
    public FaceQualityOptions Quality => _services.GetRequiredService<IOptions<FaceQualityOptions>>().Value;

    public IServiceProvider Services => _services;

    public byte[] Read(string relativePath) => File.ReadAllBytes(System.IO.Path.Combine(Root, relativePath));

    /// <summary>Analyses a corpus photo once per purpose (cached).</summary>
    public FaceAnalysis Analyze(string relativePath, FaceAnalysisPurpose purpose) =>
        _cache.GetOrAdd((relativePath, purpose), key => Analyzer.AnalyzeAsync(Read(key.Item1), key.Item2, CancellationToken.None).GetAwaiter().GetResult());

    public void Dispose() => _services.Dispose();

    /// <summary>MANIFEST.csv by column name with an RFC 4180 reader: most <c>notes</c> (and some licences) hold quoted commas.</summary>
    internal static List<CorpusPhoto> ReadManifest(string path) => ReadCsv(path, csv => new CorpusPhoto(
        csv.GetField("path")!, csv.GetField("identity")!, csv.GetField("kind")!,
        int.TryParse(csv.GetField("exif_orientation"), out var o) ? o : null, csv.GetField("sha256")!));

    /// <summary>PAIRS.csv by column name.</summary>
    internal static List<CorpusPair> ReadPairs(string path) => ReadCsv(path, csv => new CorpusPair(
        csv.GetField("path_a")!, csv.GetField("path_b")!, csv.GetField("same") == "1"));

    private static List<T> ReadCsv<T>(string path, Func<CsvReader, T> map)
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

[CollectionDefinition(Name)]
public sealed class FaceCorpusCollection : ICollectionFixture<FaceCorpusFixture>
{
    public const string Name = "face corpus";
}
