using System.Buffers;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using PensionCert.Core.Errors;
using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// The two models of action challenges, loaded once per process: fr_pose (head yaw / pitch / roll) and fr_eye (open or
/// closed eye). A missing file is reported by <see cref="IFaceModelStatus.Missing"/> and makes every read throw
/// <see cref="ServiceNotReadyException"/>; it never stops the host.
/// </summary>
public sealed class ActionModels : IDisposable
{
    private readonly InferenceSession? _pose;
    private readonly InferenceSession? _eye;
    private readonly List<string> _missing = [];

    /// <summary>Loads the models named by <paramref name="options"/> (<see cref="FaceModelOptions.PoseFile"/>, <see cref="FaceModelOptions.EyeFile"/>).</summary>
    public ActionModels(IOptions<FaceModelOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _pose = Load(o, o.PoseFile);
        _eye = Load(o, o.EyeFile);
    }

    /// <summary>Model files that could not be loaded.</summary>
    public IReadOnlyList<string> Missing => _missing;

    internal InferenceSession Pose => _pose ?? throw NotLoaded();
    internal InferenceSession Eye => _eye ?? throw NotLoaded();

    /// <inheritdoc />
    public void Dispose()
    {
        _pose?.Dispose();
        _eye?.Dispose();
    }

    private InferenceSession? Load(FaceModelOptions options, string file)
    {
        var path = options.ResolvePath(file);
        if (!File.Exists(path))
        {
            _missing.Add(Path.GetFileName(path));
            return null;
        }
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
        };
        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException)
        {
            _missing.Add(Path.GetFileName(path));
            return null;
        }
    }

    private ServiceNotReadyException NotLoaded() =>
        new($"Action models are not loaded: {string.Join(", ", _missing)}. Check the {FaceModelOptions.SectionName} settings.");
}

/// <summary>
/// Reads one challenge frame: decode → detect (fr_detect) → one prominent face → 68 landmarks → aligned embedding
/// (fr_feature, as for 1:1) → head pose (fr_pose) → eye state (fr_eye, both eyes) → passive liveness (fr_liveness).
/// Preprocessing of fr_pose and fr_eye follows <c>shared/MODELS.md</c> (measured there on the real clips).
/// </summary>
public sealed class ActionFrameAnalyzer(FaceModels faceModels, ActionModels actionModels, IOptions<FaceQualityOptions> quality) : IActionFrameAnalyzer
{
    private const int EyeInput = 24;
    private static readonly long[] EyeShape = [1, 1, EyeInput, EyeInput];
    private static readonly string[] EyeOutputs = ["output"];

    /// <inheritdoc />
    public async Task<FrameReading> ReadAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var slots = faceModels.AnalysisSlots;
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Read(frame.Span);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Synchronous read (tools and tests); same contract as <see cref="ReadAsync"/>.</summary>
    public FrameReading Read(ReadOnlySpan<byte> frame)
    {
        var options = quality.Value;
        using var image = ImageDecoder.Decode(frame, options, options.DecodeLongSidePixels, out var problem);
        if (image is null) return FrameReading.Failed(problem ?? Reasons.ImageUnreadable);
        var faces = FaceDetector.Detect(faceModels.Detector, image, (float)options.DetectorScoreThreshold);
        if (faces.Count == 0) return FrameReading.Failed(Reasons.NoFace);
        // The same main-face rule as still photos: a face cut by the edge or small in the background does not count.
        var main = MainFaceSelector.Select(faces, image.Width, image.Height, options.ProminentFaceAreaRatio, options.SecondFaceEdgeMarginRatio);
        if (main.IsAmbiguous) return FrameReading.Failed(Reasons.MultipleFaces, faces.Count);
        var box = main.Main.Box;
        var faceWidth = box.Width * image.ScaleToOriginal;
        if (faceWidth < options.MinFaceWidthPixels) return FrameReading.Failed(Reasons.FaceTooSmall, faces.Count);

        var landmarks = LandmarkDetector.Detect(faceModels.Landmark, image, box);
        var five = LandmarkDetector.FivePoints(landmarks);
        FaceEmbedding embedding;
        FaceFingerprint fingerprint;
        using (var aligned = FaceAligner.Warp(image, five, out var imageToAligned))
        {
            embedding = FaceEmbedder.Embed(faceModels.Feature, aligned);
            fingerprint = FaceFingerprinter.Compute(aligned, imageToAligned, image);
        }
        var pose = HeadPoseEstimator.Estimate(actionModels.Pose, image, box);
        var (landmarkYaw, _) = FaceQualityMeter.EstimatePose(landmarks, five);
        var closed = (EyeClosed(image, landmarks, [37, 38, 40, 41], 36, 39) + EyeClosed(image, landmarks, [43, 44, 46, 47], 42, 45)) / 2;
        // As for selfies: a noisy face is also scored smoothed (the lower probability counts), and above MaxNoiseLevel
        // the frame is refused too-noisy (added noise makes a replayed photo or video of a screen look live).
        var liveness = LivenessScorer.Score(faceModels.Liveness, image, box, options.LivenessDenoiseAbove, out var noise);
        return new FrameReading
        {
            Problem = options.MaxNoiseLevel > 0 && noise > options.MaxNoiseLevel ? Reasons.TooNoisy : null,
            NoiseLevel = noise,
            FaceCount = faces.Count,
            Embedding = embedding,
            Fingerprint = fingerprint,
            YawDegrees = pose.Yaw,
            LandmarkYawDegrees = landmarkYaw,
            PitchDegrees = pose.Pitch,
            EyesClosedProbability = closed,
            LivenessScore = liveness,
            FaceWidthPixels = faceWidth,
        };
    }

    /// <summary>fr_eye on one eye: a square grey crop centred on the mean of the lid points, side 1.6 × corner-to-corner width, 24x24, p / 255; softmax[0] = closed.</summary>
    private double EyeClosed(DecodedImage image, SKPoint[] landmarks, int[] lids, int corner1, int corner2)
    {
        float cx = 0, cy = 0;
        foreach (var i in lids)
        {
            cx += landmarks[i].X;
            cy += landmarks[i].Y;
        }
        cx /= lids.Length;
        cy /= lids.Length;
        var width = SKPoint.Distance(landmarks[corner1], landmarks[corner2]);
        var side = Math.Max(2f, 1.6f * width);
        var crop = SKRect.Create(cx - side / 2, cy - side / 2, side, side);
        var tensor = ArrayPool<float>.Shared.Rent(EyeInput * EyeInput);
        try
        {
            Span<byte> grey = stackalloc byte[EyeInput * EyeInput];
            using (var input = Resampler.Draw(image, Resampler.RectToOutput(crop, EyeInput, EyeInput), EyeInput, EyeInput, Resampler.Bilinear))
                Resampler.ToGrey(input, grey);
            for (var i = 0; i < grey.Length; i++) tensor[i] = grey[i] / 255f;
            return OnnxRunner.Run(actionModels.Eye, tensor, EyeShape, EyeOutputs, outputs =>
            {
                var l = outputs[0].GetTensorDataAsSpan<float>();
                var m = Math.Max(l[0], l[1]);
                var e0 = Math.Exp(l[0] - m);
                return e0 / (e0 + Math.Exp(l[1] - m));
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }
}
