using System.ComponentModel.DataAnnotations;

namespace PensionCert.FaceMatching;

/// <summary>
/// Where the four ONNX models live and how ONNX Runtime runs them; bound from the configuration section
/// <c>PensionCert:Models</c>. The models come from the npm package <c>faceplugin-face-recognition-js@0.0.1</c>
/// (package licence field MIT; the provenance of the weights is not documented), so every path stays configurable.
/// </summary>
public sealed class FaceModelOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Models";

    /// <summary>
    /// Folder holding the model files. A relative path is resolved against <see cref="AppContext.BaseDirectory"/>
    /// (the build copies the models to <c>models/</c> in every referencing project's output). Default <c>models</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Directory { get; set; } = "models";

    /// <summary>Face detector (Ultra-Light RFB-320 style, input [1,3,240,320]). A file name or a path; relative to <see cref="Directory"/>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DetectorFile { get; set; } = "fr_detect.onnx";

    /// <summary>68-point landmark model (input [1,1,64,64]). A file name or a path; relative to <see cref="Directory"/>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string LandmarkFile { get; set; } = "fr_landmark.onnx";

    /// <summary>Embedding model (input [1,3,112,112], output 512 floats). A file name or a path; relative to <see cref="Directory"/>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string FeatureFile { get; set; } = "fr_feature.onnx";

    /// <summary>Passive liveness model (input [1,3,128,128] BGR). A file name or a path; relative to <see cref="Directory"/>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string LivenessFile { get; set; } = "fr_liveness.onnx";

    /// <summary>Head-pose model for action challenges (HopeNet style, input [1,3,224,224]). A file name or a path; relative to <see cref="Directory"/>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string PoseFile { get; set; } = "fr_pose.onnx";

    /// <summary>Open/closed eye classifier for blink challenges (input [1,1,24,24]). A file name or a path; relative to <see cref="Directory"/>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string EyeFile { get; set; } = "fr_eye.onnx";

    /// <summary>
    /// ONNX Runtime intra-op threads per session (1..64, default 1). One thread per call keeps latency predictable and
    /// lets concurrent analyses use the other cores; raise it only for a host that runs one analysis at a time.
    /// </summary>
    [Range(1, 64)]
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>
    /// How many <see cref="FaceAnalyzer.AnalyzeAsync(ReadOnlyMemory{byte}, Core.Faces.FaceAnalysisPurpose, CancellationToken)"/> calls run their CPU-bound pipeline at once per process (0..256);
    /// default 0 = automatic: logical cores / <see cref="IntraOpThreads"/> (at least 1), so threads × concurrent analyses
    /// ≤ cores. More queue messages may be in flight (host.json batchSize + newBatchThreshold) so their storage I/O overlaps
    /// the analyses; the extra ones wait here instead of time-slicing the cores (docs/performance.md).
    /// </summary>
    [Range(0, 256)]
    public int MaxConcurrentAnalyses { get; set; }

    /// <summary>The effective <see cref="MaxConcurrentAnalyses"/>: the setting, or cores / intra-op threads when 0.</summary>
    public int EffectiveMaxConcurrentAnalyses =>
        MaxConcurrentAnalyses > 0 ? MaxConcurrentAnalyses : Math.Max(1, Environment.ProcessorCount / Math.Max(1, IntraOpThreads));

    /// <summary>Resolves a model file (absolute, or relative to <see cref="Directory"/>, itself relative to the app base directory).</summary>
    /// <param name="file">One of the *File properties.</param>
    /// <returns>The absolute path.</returns>
    public string ResolvePath(string file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var directory = Path.IsPathRooted(Directory) ? Directory : Path.Combine(AppContext.BaseDirectory, Directory);
        return Path.GetFullPath(Path.IsPathRooted(file) ? file : Path.Combine(directory, file));
    }
}
