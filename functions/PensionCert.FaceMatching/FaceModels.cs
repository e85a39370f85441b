using PensionCert.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace PensionCert.FaceMatching;

/// <summary>
/// The four long-lived ONNX Runtime sessions (one per model for the whole process; <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// is thread-safe). Register as a singleton; call <see cref="WarmUp"/> once at start-up.
/// </summary>
/// <remarks>
/// Session options are deliberate: <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/> (graph fusions, done once at load),
/// <see cref="ExecutionMode.ORT_SEQUENTIAL"/> (these small graphs gain nothing from parallel branches) and
/// <see cref="FaceModelOptions.IntraOpThreads"/> threads per call (default 1: concurrency comes from concurrent calls).
/// A missing or corrupt model does not throw at construction: it is listed in <see cref="Missing"/> so a health check can
/// report it, and any analysis then throws <see cref="ServiceNotReadyException"/>.
/// </remarks>
public sealed partial class FaceModels : IFaceModelStatus, IDisposable
{
    internal const string InputName = "input";

    private readonly InferenceSession? _detector;
    private readonly InferenceSession? _landmark;
    private readonly InferenceSession? _feature;
    private readonly InferenceSession? _liveness;
    private readonly List<string> _missing = [];
    private readonly ILogger<FaceModels> _logger;
    private volatile bool _warm;
    private readonly SemaphoreSlim _analysisSlots;

    /// <summary>Loads the models named by <paramref name="options"/>.</summary>
    public FaceModels(IOptions<FaceModelOptions> options, ILogger<FaceModels> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        var o = options.Value;
        _analysisSlots = new SemaphoreSlim(o.EffectiveMaxConcurrentAnalyses, o.EffectiveMaxConcurrentAnalyses);
        _detector = Load(o, o.DetectorFile);
        _landmark = Load(o, o.LandmarkFile);
        _feature = Load(o, o.FeatureFile);
        _liveness = Load(o, o.LivenessFile);
    }

    /// <inheritdoc />
    public bool IsReady => _missing.Count == 0 && _warm;

    /// <inheritdoc />
    public IReadOnlyList<string> Missing => _missing;

    /// <summary>True when all four sessions were created (warm-up not required).</summary>
    public bool IsLoaded => _missing.Count == 0;

    /// <summary>Admission gate of <see cref="FaceAnalyzer.AnalyzeAsync(ReadOnlyMemory{byte}, Core.Faces.FaceAnalysisPurpose, CancellationToken)"/>: <see cref="FaceModelOptions.EffectiveMaxConcurrentAnalyses"/> slots.</summary>
    internal SemaphoreSlim AnalysisSlots => _analysisSlots;

    internal InferenceSession Detector => _detector ?? throw NotLoaded();
    internal InferenceSession Landmark => _landmark ?? throw NotLoaded();
    internal InferenceSession Feature => _feature ?? throw NotLoaded();
    internal InferenceSession Liveness => _liveness ?? throw NotLoaded();

    /// <summary>
    /// Runs each model once on a zero input so the first real request does not pay for lazy allocations.
    /// Idempotent; safe to call from several threads.
    /// </summary>
    /// <exception cref="ServiceNotReadyException">A model is missing (see <see cref="Missing"/>).</exception>
    public void WarmUp()
    {
        if (_warm) return;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Warm(Detector, FaceDetector.InputShape, FaceDetector.OutputNames);
        Warm(Landmark, LandmarkDetector.InputShape, LandmarkDetector.OutputNames);
        Warm(Feature, FaceEmbedder.InputShape, FaceEmbedder.OutputNames);
        Warm(Liveness, LivenessScorer.InputShape, LivenessScorer.OutputNames);
        _warm = true;
        LogWarm(_logger, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _detector?.Dispose();
        _landmark?.Dispose();
        _feature?.Dispose();
        _liveness?.Dispose();
        _analysisSlots.Dispose();
    }

    private static void Warm(InferenceSession session, long[] shape, string[] outputs)
    {
        var input = new float[shape.Aggregate(1L, (a, b) => a * b)];
        OnnxRunner.Run(session, input, shape, outputs, static _ => 0);
    }

    private InferenceSession? Load(FaceModelOptions options, string file)
    {
        var path = options.ResolvePath(file);
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            _missing.Add(name);
            LogMissing(_logger, name);
            return null;
        }

        var sessionOptions = new SessionOptions
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
        catch (OnnxRuntimeException ex)
        {
            _missing.Add(name);
            LogLoadFailed(_logger, name, ex);
            return null;
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    private ServiceNotReadyException NotLoaded() =>
        new($"Face models are not loaded: {string.Join(", ", _missing)}. Check the {FaceModelOptions.SectionName} settings.");

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Face model {Model} not found")]
    private static partial void LogMissing(ILogger logger, string model);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Face model {Model} failed to load")]
    private static partial void LogLoadFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Face models warmed up in {ElapsedMs:F0} ms")]
    private static partial void LogWarm(ILogger logger, double elapsedMs);
}
