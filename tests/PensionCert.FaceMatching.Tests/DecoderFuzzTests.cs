using System.Diagnostics;
using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching.Tests;

/// <summary>
/// Seeded fuzz of the decoder and pipeline: random mutations of a valid JPEG (bit flips, overwritten and inserted
/// bytes, truncation, duplicated segments) go straight to <c>FaceAnalyzer</c>. Every case must end in an analysis
/// (usable or with reasons), never an exception, and the process's memory must stay bounded.
/// </summary>
[Collection(FaceCorpusCollection.Name)]
public sealed class DecoderFuzzTests(FaceCorpusFixture corpus)
{
    private const int Cases = 2000;

    [Fact]
    public async Task AnalyzeAsync_MutatedJpegs_NoExceptionAndBoundedMemory()
    {
        var random = new Random(11643);
        var seed = SmallJpeg(corpus.Read("deepface/img2.jpg"));
        var unusable = 0;
        for (var i = 0; i < 50; i++) await corpus.Analyzer.AnalyzeAsync(Mutate(seed, random), FaceAnalysisPurpose.Verification, CancellationToken.None);
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;

        for (var i = 0; i < Cases; i++)
        {
            var bytes = Mutate(seed, random);
            FaceAnalysis analysis;
            try
            {
                analysis = await corpus.Analyzer.AnalyzeAsync(bytes, FaceAnalysisPurpose.Verification, CancellationToken.None);
            }
            catch (Exception ex)
            {
                Assert.Fail($"case {i} ({bytes.Length} bytes) threw {ex.GetType().Name}: {ex.Message}");
                return;
            }
            if (!analysis.IsUsable)
            {
                unusable++;
                Assert.NotEmpty(analysis.Problems);
                Assert.Null(analysis.Embedding);
            }
            if (i % 100 == 0)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
            }
        }

        Assert.InRange(unusable, 1, Cases);
        Assert.True(peak - baseline < 400L * 1024 * 1024, $"working set grew {(peak - baseline) / 1024 / 1024} MB over {Cases} cases");
    }

    /// <summary>The face photo scaled to 320 px on the long side, re-encoded as JPEG (keeps each case fast).</summary>
    private static byte[] SmallJpeg(byte[] jpeg)
    {
        using var original = SKBitmap.Decode(jpeg);
        var scale = 320f / Math.Max(original.Width, original.Height);
        using var small = original.Resize(new SKImageInfo((int)(original.Width * scale), (int)(original.Height * scale)), new SKSamplingOptions(SKFilterMode.Linear));
        using var data = small.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        for (var m = random.Next(1, 6); m > 0 && bytes.Count > 2; m--)
        {
            // Headers (markers, tables, sizes) are where decoders break: mutate the first 700 bytes more often.
            var at = random.Next(2) == 0 ? random.Next(Math.Min(700, bytes.Count)) : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 32)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes[at] = 0xFF; break;
                default:
                    var length = Math.Min(bytes.Count - at, random.Next(2, 200));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }
        return [.. bytes];
    }
}
