namespace PensionCert.FaceMatching;

/// <summary>The order of the three colour planes in a model's NCHW input tensor.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue.</summary>
    Rgb,

    /// <summary>Blue, green, red (OpenCV's native order; the models trained on cv2.imread crops expect it).</summary>
    Bgr,
}

/// <summary>
/// The one place that says which channel order each model of <c>faceplugin-face-recognition-js@0.0.1</c> reads
/// (measured and documented in ../shared/MODELS.md). Every stage that writes a colour tensor takes its order from here.
/// </summary>
public static class ModelInputs
{
    /// <summary>fr_detect.onnx: RGB, (p − 127) / 128.</summary>
    public const ChannelOrder Detector = ChannelOrder.Rgb;

    /// <summary>
    /// fr_feature.onnx: BGR, (p − 127) / 128. Fed BGR, the embedding separates people better on every corpus tried
    /// (shared/faces EER 0.9 → 0.7 %, genuine median similarity 0.67 → 0.70; LFW view 2 EER 1.6 → 1.2 %: MODELS.md and
    /// README "Face models and accuracy"); the thresholds of <c>VerificationOptions</c> were calibrated on BGR embeddings.
    /// </summary>
    public const ChannelOrder Feature = ChannelOrder.Bgr;

    /// <summary>fr_liveness.onnx: BGR, raw 0..255 (RGB input scores live faces far lower).</summary>
    public const ChannelOrder Liveness = ChannelOrder.Bgr;

    /// <summary>fr_pose.onnx: RGB with ImageNet mean/std normalisation.</summary>
    public const ChannelOrder Pose = ChannelOrder.Rgb;
}
