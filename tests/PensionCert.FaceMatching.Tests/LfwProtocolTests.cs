using System.Text.RegularExpressions;
using PensionCert.Tools;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// evaluate --protocol lfw on a small fold-labelled PAIRS.csv built from ../shared/faces (the full 6,000-pair run is a
/// benchmark, README "Face models and accuracy"), and the k-fold arithmetic on constructed scores.
/// </summary>
public sealed class LfwProtocolTests
{
    [Fact]
    public void KFold_ThresholdFromOtherFolds_UnscoredPairIsAnErrorWhateverItsLabel()
    {
        // Two folds; in each, genuine scores 0.8/0.7 and impostor 0.1/0.2 separate perfectly, but fold 2 has an
        // impostor pair that could not be scored: an error, not a correct rejection.
        VerificationMetrics.ScoredPair G(double s, int f) => new(true, s, f);
        VerificationMetrics.ScoredPair I(double? s, int f) => new(false, s, f);
        var result = VerificationMetrics.KFold([G(0.8, 1), G(0.7, 1), I(0.1, 1), I(0.2, 1), G(0.75, 2), G(0.6, 2), I(0.15, 2), I(null, 2)]);

        Assert.Equal([1.0, 0.75], result.FoldAccuracies);
        Assert.Equal(0.875, result.Mean, 6);
        Assert.Equal(0.125, result.Std, 6);
        Assert.InRange(result.FoldThresholds[0], 0.15, 0.6); // chosen on fold 2 only
        var (tar, _) = VerificationMetrics.TarAtFar([G(0.8, 0), G(0.3, 0), I(0.5, 0), I(0.1, 0), I(null, 0)], 0.0);
        Assert.Equal(0.5, tar); // no impostor through: only the genuine pair above 0.5
    }

    [Fact]
    public async Task RunAsync_FoldLabelledCorpusWithAFacelessSide_PrintsTheProtocolLineAndWritesJson()
    {
        var root = Directory.CreateTempSubdirectory("lfw-protocol-");
        try
        {
            var faces = PensionCert.Tests.Shared.SharedFaces.Root;
            Directory.CreateSymbolicLink(Path.Combine(root.FullName, "lfw"), Path.Combine(faces, "lfw"));
            Directory.CreateSymbolicLink(Path.Combine(root.FullName, "retinaface"), Path.Combine(faces, "retinaface"));
            var pairs = FaceCorpusFixture.ReadPairs(Path.Combine(faces, "PAIRS.csv")).Where(p => p.Source == "lfw").ToList();
            var genuine = pairs.Where(p => p.Same).Take(8).ToList();
            var impostor = pairs.Where(p => !p.Same).Take(8).ToList();
            var lines = new List<string> { "path_a,path_b,same,fold" };
            for (var i = 0; i < 8; i++)
            {
                lines.Add($"{genuine[i].PathA},{genuine[i].PathB},1,{i / 2 + 1}");
                lines.Add($"{impostor[i].PathA},{impostor[i].PathB},0,{i / 2 + 1}");
            }
            lines.Add($"{genuine[0].PathA},retinaface/no_face.jpg,1,4"); // a side with no face: an error
            await File.WriteAllLinesAsync(Path.Combine(root.FullName, "PAIRS.csv"), lines);
            var json = new FileInfo(Path.Combine(root.FullName, "summary.json"));
            var output = new StringWriter();

            var exit = await LfwProtocol.RunAsync(root, json, output, CancellationToken.None);

            Assert.Equal(0, exit);
            var text = output.ToString();
            var line = Regex.Match(text, @"^lfw-10fold accuracy=(?<acc>[01]\.\d{4}) std=(?<std>0\.\d{4}) scored=(?<n>\d+)/(?<total>\d+)\r?$", RegexOptions.Multiline);
            Assert.True(line.Success, text);
            Assert.Equal("16", line.Groups["n"].Value);
            Assert.Equal("17", line.Groups["total"].Value);
            // 16 clean LFW pairs are separated; the faceless pair in fold 4 is its one error (fold 4: 4 of 5).
            Assert.Equal("0.9500", line.Groups["acc"].Value);
            Assert.Contains("TAR@FAR=1e-3", text);
            Assert.Contains("Shipped policy", text);

            var summary = EvaluationSummary.Read(json.FullName);
            Assert.Equal("lfw", summary.Mode);
            Assert.Equal(17, summary.Protocol!.Pairs);
            Assert.Equal(16, summary.Protocol.Scored);
            Assert.Equal(0.95, summary.Protocol.Accuracy, 6);
            Assert.Equal(4, summary.Protocol.FoldAccuracies.Count);
            Assert.Equal(0.0, summary.All.FarAtAccept);
            Assert.Contains(summary.Sources, s => s.Cohort == "lfw");
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
