using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;
using SkiaSharp;

namespace PensionCert.Tools.Bench;

/// <summary>
/// Benchmarks 1 and 2: the verification pipeline on one thread (one selfie against one enrolled reference embedding),
/// per stage, for a 640x480 JPEG and a 12 MP EXIF-rotated phone JPEG; and, interleaved with it so both see the same
/// machine noise, the pure model time (the four <c>InferenceSession.Run</c> calls on tensors prepared from the same photo).
/// </summary>
internal static class PipelineBench
{
    private static readonly string[] Stages = ["decode", "detect", "landmarks", "align+quality", "embed", "liveness", "compare"];

    public static int Run(DirectoryInfo faces, string probePath, string referencePath, int iterations, int warmup, int? decodeLongSide, int? minFaceDetail, TextWriter output)
    {
        BenchReport.Header(output, "pipeline (benchmarks 1 and 2: single thread, per stage, pure model time)");
        var modelOptions = new FaceModelOptions { IntraOpThreads = 1 };
        var quality = new FaceQualityOptions();
        if (decodeLongSide is { } longSide) quality.DecodeLongSidePixels = longSide;
        if (minFaceDetail is { } detail) quality.MinFaceDetailPixels = detail;
        using var models = new FaceModels(Options.Create(modelOptions), NullLogger<FaceModels>.Instance);
        if (!models.IsLoaded) throw new InvalidOperationException($"Models missing: {string.Join(", ", models.Missing)}");
        models.WarmUp();
        var analyzer = new FaceAnalyzer(models, Options.Create(quality), NullLogger<FaceAnalyzer>.Instance);
        output.WriteLine($"sessions: ORT_ENABLE_ALL, sequential, intra-op threads {modelOptions.IntraOpThreads}; decode long side {quality.DecodeLongSidePixels} px, finer decode below a {quality.MinFaceDetailPixels} px face; {iterations} iterations after {warmup} warm-up");

        // The reference embedding is computed once, as at enrolment; verification only compares against it.
        var reference = analyzer.Analyze(File.ReadAllBytes(Path.Combine(faces.FullName, referencePath)), FaceAnalysisPurpose.Enrollment, out _);
        if (reference.Embedding is null) throw new InvalidOperationException($"Reference {referencePath} is not usable: {string.Join(",", reference.Problems.Select(p => p.Code))}");

        using var photo = SKBitmap.Decode(Path.Combine(faces.FullName, probePath)) ?? throw new InvalidOperationException($"Cannot decode {probePath}.");
        var cases = new (string Name, byte[] Jpeg)[]
        {
            ("640x480 JPEG", BenchImages.Vga(photo)),
            ("4032x3024 12 MP JPEG, EXIF orientation 6", BenchImages.Phone12Mp(photo)),
        };
        output.WriteLine($"probe made from {probePath}, reference {referencePath}");

        var ratios = new List<string>();
        foreach (var (name, jpeg) in cases)
        {
            var result = RunCase(models, analyzer, quality, reference.Embedding, jpeg, iterations, warmup);
            output.WriteLine();
            output.WriteLine($"-- {name}: {jpeg.Length / 1024d:F0} KiB, decoded to {result.Decoded.Width}x{result.Decoded.Height} upright, face box {result.FaceWidth:F0} px wide there{(result.DecodedTwice ? " (under MinFaceDetailPixels in a downscaled decode: decoded again finer for the face)" : "")}; similarity {result.Similarity:F3}, liveness {result.Liveness:F3}");
            output.WriteLine($"   {"stage",-16} median / p95 ms");
            for (var s = 0; s < Stages.Length; s++) output.WriteLine($"   {Stages[s],-16} {BenchReport.MedianP95(result.Stages[s])}");
            output.WriteLine($"   {"total (wall)",-16} {BenchReport.MedianP95(result.Total)}");
            output.WriteLine($"   pure model (InferenceSession.Run on prepared tensors), median / p95 ms:");
            string[] models4 = ["fr_detect", "fr_landmark", "fr_feature", "fr_liveness"];
            for (var m = 0; m < 4; m++) output.WriteLine($"   {models4[m],-16} {BenchReport.MedianP95(result.Pure[m])}");
            output.WriteLine($"   {"sum of four",-16} {BenchReport.MedianP95(result.PureTotal)}");
            var ratio = BenchReport.Median(result.Total) / BenchReport.Median(result.PureTotal);
            var goal = jpeg.Length > 1_000_000 ? 2.0 : 1.3;
            output.WriteLine($"   ratio pipeline / pure model (medians): {ratio:F2} (goal ≤ {goal:F1}: {(ratio <= goal ? "met" : "NOT met")})");
            output.WriteLine($"   managed allocation per verification: {result.AllocatedBytes / 1024d:F1} KiB");
            ratios.Add($"{name}: {ratio:F2} (goal ≤ {goal:F1})");
        }

        output.WriteLine();
        output.WriteLine($"summary: {string.Join("; ", ratios)}");
        output.WriteLine($"load average at end: {BenchReport.LoadAverage()}");
        return 0;
    }

    private sealed record CaseResult(SKSizeI Decoded, float FaceWidth, bool DecodedTwice, double Similarity, double Liveness, List<double>[] Stages, List<double> Total, List<double>[] Pure, List<double> PureTotal, double AllocatedBytes);

    private static CaseResult RunCase(FaceModels models, FaceAnalyzer analyzer, FaceQualityOptions quality, FaceEmbedding reference, byte[] jpeg, int iterations, int warmup)
    {
        var tensors = PrepareTensors(models, quality, jpeg, out var decoded, out var faceWidth, out var decodedTwice);
        var stages = Stages.Select(_ => new List<double>(iterations)).ToArray();
        var total = new List<double>(iterations);
        var pure = Enumerable.Range(0, 4).Select(_ => new List<double>(iterations)).ToArray();
        var pureTotal = new List<double>(iterations);
        double similarity = 0, liveness = 0;
        long allocated = 0;
        for (var i = -warmup; i < iterations; i++)
        {
            // Pipeline: decode → … → liveness, then the 1:1 comparison with the stored reference embedding.
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            var analysis = analyzer.Analyze(jpeg, FaceAnalysisPurpose.Verification, out var t);
            var compareStart = Stopwatch.GetTimestamp();
            if (analysis.Embedding is null) throw new InvalidOperationException($"Probe not usable: {string.Join(",", analysis.Problems.Select(p => p.Code))}");
            similarity = analysis.Embedding.CosineSimilarity(reference);
            var compare = BenchReport.Ms(compareStart);
            var wall = BenchReport.Ms(start);
            var allocatedAfter = GC.GetAllocatedBytesForCurrentThread();
            liveness = analysis.LivenessScore ?? double.NaN;

            // Pure model: the same four calls on tensors prepared once from this photo.
            var pureStart = Stopwatch.GetTimestamp();
            var perModel = new double[4];
            for (var m = 0; m < 4; m++)
            {
                var (session, tensor, shape, outputs) = tensors[m];
                var s = Stopwatch.GetTimestamp();
                OnnxRunner.Run(session, tensor, shape, outputs, static _ => 0);
                perModel[m] = BenchReport.Ms(s);
            }

            var pureWall = BenchReport.Ms(pureStart);
            if (i < 0) continue;
            allocated += allocatedAfter - allocatedBefore;
            double[] values = [t.DecodeMs, t.DetectMs, t.LandmarksMs, t.AlignMs, t.EmbedMs, t.LivenessMs, compare];
            for (var s = 0; s < values.Length; s++) stages[s].Add(values[s]);
            total.Add(wall);
            for (var m = 0; m < 4; m++) pure[m].Add(perModel[m]);
            pureTotal.Add(pureWall);
        }

        return new CaseResult(decoded, faceWidth, decodedTwice, similarity, liveness, stages, total, pure, pureTotal, (double)allocated / iterations);
    }

    /// <summary>The four model inputs for <paramref name="jpeg"/>, built by the pipeline's own preparation code.</summary>
    private static (Microsoft.ML.OnnxRuntime.InferenceSession Session, float[] Tensor, long[] Shape, string[] Outputs)[] PrepareTensors(
        FaceModels models, FaceQualityOptions quality, byte[] jpeg, out SKSizeI decoded, out float faceWidth, out bool decodedTwice)
    {
        using var image = ImageDecoder.Decode(jpeg, quality, quality.DecodeLongSidePixels, out var problem) ?? throw new InvalidOperationException($"Probe not decodable: {problem?.Code}");
        decoded = new SKSizeI(image.Width, image.Height);
        var faces = FaceDetector.Detect(models.Detector, image, (float)quality.DetectorScoreThreshold);
        if (faces.Count == 0) throw new InvalidOperationException("No face in the probe.");
        var box = faces[0].Box;
        faceWidth = box.Width;
        // The analyzer decodes such a photo a second time, finer, for the face (same rule as FaceAnalyzer).
        decodedTwice = image.ScaleToOriginal > 1.001 && box.Width < quality.MinFaceDetailPixels;
        var detect = new float[FaceDetector.InputLength];
        FaceDetector.Prepare(image, detect);
        var landmark = new float[LandmarkDetector.InputLength];
        LandmarkDetector.Prepare(image, box, landmark);
        var five = LandmarkDetector.FivePoints(LandmarkDetector.Detect(models.Landmark, image, box));
        var feature = new float[FaceEmbedder.InputLength];
        using (var aligned = FaceAligner.Warp(image, five)) FaceEmbedder.Prepare(aligned, feature);
        var liveness = new float[LivenessScorer.InputLength];
        LivenessScorer.Prepare(image, box, liveness);
        return
        [
            (models.Detector, detect, FaceDetector.InputShape, FaceDetector.OutputNames),
            (models.Landmark, landmark, LandmarkDetector.InputShape, LandmarkDetector.OutputNames),
            (models.Feature, feature, FaceEmbedder.InputShape, FaceEmbedder.OutputNames),
            (models.Liveness, liveness, LivenessScorer.InputShape, LivenessScorer.OutputNames),
        ];
    }
}
