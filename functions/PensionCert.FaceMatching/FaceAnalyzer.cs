using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.Core.Telemetry;
using Stages = PensionCert.Core.Definitions.TelemetryNames.Stages;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// The ONNX face pipeline behind <see cref="IFaceAnalyzer"/>: decode (SkiaSharp) → detect (fr_detect) → one prominent
/// face (the main-face rule, <see cref="MainFaceSelector"/>) → landmarks (fr_landmark) → 5-point similarity alignment → quality gates → embedding (fr_feature) → passive
/// liveness (fr_liveness, verification only). Thread-safe: all buffers are per call, the sessions are shared.
/// </summary>
public sealed partial class FaceAnalyzer : IFaceAnalyzer
{
    private readonly FaceModels _models;
    private readonly FaceQualityOptions _quality;
    private readonly ILogger<FaceAnalyzer> _logger;

    /// <summary>Creates the analyzer over the process-wide <paramref name="models"/>.</summary>
    public FaceAnalyzer(FaceModels models, IOptions<FaceQualityOptions> quality, ILogger<FaceAnalyzer> logger)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(quality);
        ArgumentNullException.ThrowIfNull(logger);
        _models = models;
        _quality = quality.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Waits for one of <see cref="FaceModelOptions.EffectiveMaxConcurrentAnalyses"/> slots (default cores / intra-op
    /// threads), then runs the CPU-bound pipeline on the current thread-pool thread: many messages may be in flight for
    /// their storage I/O, but no more analyses run at once than the cores can serve.
    /// </remarks>
    /// <exception cref="PensionCert.Core.Errors.ServiceNotReadyException">The models are not loaded (a deployment fault, not a bad photo).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting or between stages.</exception>
    public Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, CancellationToken cancellationToken) =>
        AnalyzeAsync(photo, purpose, FaceView.Upright, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Same slots as the plain analysis; the stage timings of a second look are recorded like the first's.</remarks>
    public async Task<FaceAnalysis> AnalyzeAsync(ReadOnlyMemory<byte> photo, FaceAnalysisPurpose purpose, FaceView view, CancellationToken cancellationToken)
    {
        var slots = _models.AnalysisSlots;
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var analysis = Analyze(photo.Span, purpose, view, applyGates: true, out var timings, cancellationToken);
            if (purpose == FaceAnalysisPurpose.Verification) RecordStages(timings);
            return analysis;
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>The stages of a verification's analysis (<see cref="Core.Definitions.TelemetryNames.VerificationDuration"/>).</summary>
    private static void RecordStages(FaceAnalysisTimings t)
    {
        PensionCertTelemetry.RecordStage(Stages.Decode, t.DecodeMs);
        PensionCertTelemetry.RecordStage(Stages.Detect, t.DetectMs);
        if (t.LandmarksMs > 0) PensionCertTelemetry.RecordStage(Stages.Landmarks, t.LandmarksMs);
        if (t.AlignMs > 0) PensionCertTelemetry.RecordStage(Stages.Align, t.AlignMs);
        if (t.EmbedMs > 0) PensionCertTelemetry.RecordStage(Stages.Embed, t.EmbedMs);
        if (t.LivenessMs > 0) PensionCertTelemetry.RecordStage(Stages.Liveness, t.LivenessMs);
    }

    /// <summary>
    /// Synchronous analysis that also reports per-stage timings (for benchmarks and diagnostics); same contract as
    /// <see cref="AnalyzeAsync(ReadOnlyMemory{byte}, FaceAnalysisPurpose, CancellationToken)"/>. CPU-bound (about 15-30 ms on one core for a 640x480 selfie; see docs/performance.md); not gated by the
    /// concurrency slots of <see cref="AnalyzeAsync(ReadOnlyMemory{byte}, FaceAnalysisPurpose, CancellationToken)"/>.
    /// </summary>
    /// <param name="photo">Encoded JPEG, PNG or WebP bytes.</param>
    /// <param name="purpose">Enrollment or verification (both score liveness; verification records stage timings).</param>
    /// <param name="timings">Milliseconds per stage; stages not reached are 0.</param>
    /// <param name="cancellationToken">Checked between stages.</param>
    /// <returns>The analysis; bad images yield <see cref="FaceAnalysis.Problems"/>, never exceptions.</returns>
    public FaceAnalysis Analyze(ReadOnlySpan<byte> photo, FaceAnalysisPurpose purpose, out FaceAnalysisTimings timings, CancellationToken cancellationToken = default) =>
        Analyze(photo, purpose, FaceView.Upright, applyGates: true, out timings, cancellationToken);

    /// <summary><see cref="Analyze(ReadOnlySpan{byte}, FaceAnalysisPurpose, out FaceAnalysisTimings, CancellationToken)"/> of the photo seen as <paramref name="view"/> says.</summary>
    public FaceAnalysis Analyze(ReadOnlySpan<byte> photo, FaceAnalysisPurpose purpose, FaceView view, out FaceAnalysisTimings timings, CancellationToken cancellationToken = default) =>
        Analyze(photo, purpose, view, applyGates: true, out timings, cancellationToken);

    /// <summary>
    /// The matcher alone, as benchmark protocols measure it (LFW's 10 folds score every pair): the main face is embedded
    /// (and liveness scored for verification) even when a quality gate would refuse the photo; the gates' verdicts are
    /// still listed in <see cref="FaceAnalysis.Problems"/>, so <see cref="FaceAnalysis.IsUsable"/> stays the product's
    /// answer. Only a photo without any face (or that cannot be decoded) has no embedding.
    /// </summary>
    internal FaceAnalysis AnalyzeUngated(ReadOnlySpan<byte> photo, FaceAnalysisPurpose purpose, out FaceAnalysisTimings timings) =>
        Analyze(photo, purpose, FaceView.Upright, applyGates: false, out timings, CancellationToken.None);

    private FaceAnalysis Analyze(ReadOnlySpan<byte> photo, FaceAnalysisPurpose purpose, FaceView view, bool applyGates, out FaceAnalysisTimings timings, CancellationToken cancellationToken)
    {
        if (view.ClockwiseDegrees is not (0 or 90 or 180 or 270)) throw new ArgumentOutOfRangeException(nameof(view), view.ClockwiseDegrees, "0, 90, 180 or 270 degrees.");
        var clock = new StageClock();
        var analysis = Run(photo, purpose, view, applyGates, ref clock, cancellationToken);
        timings = clock.ToTimings();
        // Hot path: build the outcome text only when Debug logging is on.
        if (_logger.IsEnabled(LogLevel.Debug))
            LogAnalyzed(_logger, purpose, analysis.Problems.Count == 0 ? "usable" : string.Join(',', analysis.Problems.Select(p => p.Code)), analysis.FaceCount, timings.TotalMs);
        return analysis;
    }

    private FaceAnalysis Run(ReadOnlySpan<byte> photo, FaceAnalysisPurpose purpose, FaceView view, bool applyGates, ref StageClock clock, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Models not loaded is a deployment fault (ServiceNotReadyException, 503), never a verdict on the photo: checked first.
        _ = _models.Detector;
        var image = Decode(photo, _quality.DecodeLongSidePixels, view.ClockwiseDegrees, out var decodeProblem);
        clock.Lap(ref clock.Decode);
        if (image is null) return FaceAnalysis.Failed(decodeProblem ?? Reasons.ImageUnreadable);
        try
        {
            return Run(photo, image, purpose, view, applyGates, ref clock, cancellationToken, out image);
        }
        finally
        {
            image.Dispose();
        }
    }

    /// <summary>The stages after the first decode; <paramref name="current"/> is the image in use at the end (to dispose).</summary>
    private FaceAnalysis Run(ReadOnlySpan<byte> photo, DecodedImage image, FaceAnalysisPurpose purpose, FaceView view, bool applyGates, ref StageClock clock, CancellationToken cancellationToken, out DecodedImage current)
    {
        current = image;
        cancellationToken.ThrowIfCancellationRequested();
        var faces = FaceDetector.Detect(_models.Detector, image, (float)_quality.DetectorScoreThreshold);
        clock.Lap(ref clock.Detect);
        if (faces.Count == 0) return FaceAnalysis.Failed(Reasons.NoFace);

        var problems = new List<Reason>();
        var main = MainFaceSelector.Select(faces, image.Width, image.Height, _quality.ProminentFaceAreaRatio, _quality.SecondFaceEdgeMarginRatio);
        if (main.IsAmbiguous)
        {
            if (applyGates) return FaceAnalysis.Failed(Reasons.MultipleFaces, faces.Count);
            problems.Add(Reasons.MultipleFaces);
        }

        var box = main.Main.Box;
        var faceWidth = box.Width * image.ScaleToOriginal;
        if (faceWidth < _quality.MinFaceWidthPixels)
        {
            if (applyGates) return FaceAnalysis.Failed(Reasons.FaceTooSmall, faces.Count, new FaceQuality(faceWidth, 0, 0, 0, 0));
            problems.Add(Reasons.FaceTooSmall);
        }

        var cut = CutByFrame(box, image.Width, image.Height);
        var scale = 1f; // decoded pixels of the first decode → pixels of the image in use
        if (image.ScaleToOriginal > 1.001 && box.Width < _quality.MinFaceDetailPixels)
        {
            // A small face in a downscaled decode: decode again, just fine enough for the face (at most full size).
            var factor = Math.Min(image.ScaleToOriginal, _quality.MinFaceDetailPixels / box.Width);
            var finer = Decode(photo, (int)Math.Ceiling(Math.Max(image.Width, image.Height) * factor), view.ClockwiseDegrees, out _);
            if (finer is not null)
            {
                var k = (float)finer.Width / image.Width;
                scale = k;
                box = new SKRect(box.Left * k, box.Top * k, box.Right * k, box.Bottom * k);
                image.Dispose();
                image = current = finer;
            }
            clock.Lap(ref clock.Decode);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var landmarks = LandmarkDetector.Detect(_models.Landmark, image, box);
        var five = LandmarkDetector.FivePoints(landmarks);
        clock.Lap(ref clock.Landmarks);

        using var aligned = FaceAligner.Warp(image, five, out var imageToAligned);
        var (brightness, sharpness) = FaceQualityMeter.Measure(aligned);
        var (yaw, pitch) = FaceQualityMeter.EstimatePose(landmarks, five);
        var quality = new FaceQuality(faceWidth, brightness, sharpness, yaw, pitch);
        clock.Lap(ref clock.Align);
        problems.AddRange(QualityProblems(quality));
        var dim = brightness < _quality.MinBrightness + _quality.DimBrightnessMargin;
        if (applyGates && problems.Count > 0) return new FaceAnalysis { Problems = problems, FaceCount = faces.Count, Quality = quality, FaceCutByFrame = cut, Dim = dim };

        cancellationToken.ThrowIfCancellationRequested();
        var embedding = _quality.FlipFusion ? FaceEmbedder.EmbedWithFlip(_models.Feature, aligned) : FaceEmbedder.Embed(_models.Feature, aligned);
        clock.Lap(ref clock.Embed);

        // Scored for both purposes: a first enrolment refuses a photo of a photo as a selfie does (EnrollmentService).
        cancellationToken.ThrowIfCancellationRequested();
        double? liveness = LivenessScorer.Score(_models.Liveness, image, box, _quality.LivenessDenoiseAbove, out var noise);
        clock.Lap(ref clock.Liveness);
        if (NoiseProblem(purpose, noise) is { } noisy)
        {
            problems.Add(noisy);
            if (applyGates) return new FaceAnalysis { Problems = problems, FaceCount = faces.Count, LivenessScore = liveness, NoiseLevel = noise, Quality = quality };
        }

        var others = view.WithOtherFaces ? EmbedOtherFaces(faces, main.Main, image, scale, cancellationToken) : [];
        return new FaceAnalysis
        {
            Problems = problems, FaceCount = faces.Count, Embedding = embedding, LivenessScore = liveness, Quality = quality,
            NoiseLevel = noise, MirroredEmbedding = MirroredLater(aligned), Fingerprint = FaceFingerprinter.Compute(aligned, imageToAligned, image), FaceCutByFrame = cut, Dim = dim, OtherFaces = others,
            DetectorScore = main.Main.Score,
        };
    }

    /// <summary>The decode, with the upright pixels turned clockwise by <paramref name="clockwiseDegrees"/> (exact pixel remap).</summary>
    private DecodedImage? Decode(ReadOnlySpan<byte> photo, int targetLongSide, int clockwiseDegrees, out Reason? problem)
    {
        var image = ImageDecoder.Decode(photo, _quality, targetLongSide, out problem);
        if (image is null || clockwiseDegrees == 0) return image;
        var turned = ImageDecoder.Orient(image.Bitmap, clockwiseDegrees switch
        {
            90 => SKEncodedOrigin.RightTop,
            180 => SKEncodedOrigin.BottomRight,
            _ => SKEncodedOrigin.LeftBottom,
        });
        var result = new DecodedImage(turned, image.ScaleToOriginal);
        image.Dispose();
        return result;
    }

    /// <summary>
    /// True when the main face's box touches the top edge, or a side edge (the detector clamps its boxes to the image):
    /// the forehead or an eye is outside the photo. Within <see cref="FaceQualityOptions.CutEdgeRatio"/> of the box's width.
    /// </summary>
    private bool CutByFrame(SKRect box, int width, int height)
    {
        var tolerance = (float)(_quality.CutEdgeRatio * box.Width);
        return box.Top <= tolerance || box.Left <= tolerance || box.Right >= width - tolerance;
    }

    /// <summary>
    /// Templates of the faces other than <paramref name="main"/> that are wholly inside the frame and at least
    /// <see cref="FaceQualityOptions.OtherFaceAreaRatio"/> of its area and wide enough to compare (a helper's face in
    /// front of the pensioner's). Boxes are in first-decode pixels; <paramref name="scale"/> maps them to <paramref name="image"/>.
    /// </summary>
    private List<FaceEmbedding> EmbedOtherFaces(IReadOnlyList<DetectedFace> faces, DetectedFace main, DecodedImage image, float scale, CancellationToken cancellationToken)
    {
        var others = new List<FaceEmbedding>();
        var mainArea = main.Box.Width * main.Box.Height;
        foreach (var face in faces)
        {
            if (face.Box == main.Box || face.Box.Width * face.Box.Height < _quality.OtherFaceAreaRatio * mainArea) continue;
            var box = new SKRect(face.Box.Left * scale, face.Box.Top * scale, face.Box.Right * scale, face.Box.Bottom * scale);
            if (!MainFaceSelector.Inside(box, image.Width, image.Height, _quality.SecondFaceEdgeMarginRatio)) continue;
            if (box.Width * image.ScaleToOriginal < _quality.MinFaceWidthPixels) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var five = LandmarkDetector.FivePoints(LandmarkDetector.Detect(_models.Landmark, image, box));
            using var aligned = FaceAligner.Warp(image, five);
            others.Add(_quality.FlipFusion ? FaceEmbedder.EmbedWithFlip(_models.Feature, aligned) : FaceEmbedder.Embed(_models.Feature, aligned));
        }
        return others;
    }

    private List<Reason> QualityProblems(FaceQuality quality)
    {
        var problems = new List<Reason>();
        if (quality.Brightness < _quality.MinBrightness) problems.Add(Reasons.TooDark);
        if (quality.Brightness > _quality.MaxBrightness) problems.Add(Reasons.TooBright);
        if (quality.Sharpness < _quality.MinSharpness) problems.Add(Reasons.Blurred);
        if (Math.Abs(quality.YawDegrees) > _quality.MaxYawDegrees || Math.Abs(quality.PitchDegrees) > _quality.MaxPitchDegrees)
            problems.Add(Reasons.FaceNotFrontal);
        return problems;
    }

    /// <summary>Stage stopwatch on <see cref="Stopwatch.GetTimestamp"/>: no allocation.</summary>
    private struct StageClock()
    {
        public double Decode, Detect, Landmarks, Align, Embed, Liveness;
        private long _last = Stopwatch.GetTimestamp();

        public void Lap(ref double stage)
        {
            var now = Stopwatch.GetTimestamp();
            stage += Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds;
            _last = now;
        }

        public readonly FaceAnalysisTimings ToTimings() => new(Decode, Detect, Landmarks, Align, Embed, Liveness);
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Face analysis ({Purpose}): {Outcome}, {FaceCount} face(s), {ElapsedMs:F1} ms")]
    private static partial void LogAnalyzed(ILogger logger, FaceAnalysisPurpose purpose, string outcome, int faceCount, double elapsedMs);
}
