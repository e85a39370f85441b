namespace PensionCert.FaceMatching;

/// <summary>
/// Wall-clock milliseconds spent in each stage of one analysis; a stage that did not run is 0.
/// Decode includes the header check, DCT-scaled decoding and EXIF orientation; Align includes the quality measurements.
/// </summary>
/// <param name="DecodeMs">Header check, decoding, orientation.</param>
/// <param name="DetectMs">Letterbox resize and fr_detect with NMS.</param>
/// <param name="LandmarksMs">Landmark crop and fr_landmark.</param>
/// <param name="AlignMs">Similarity estimate, 112x112 warp, brightness, sharpness and pose.</param>
/// <param name="EmbedMs">fr_feature and L2 normalisation.</param>
/// <param name="LivenessMs">Liveness crop and fr_liveness (verification only).</param>
public sealed record FaceAnalysisTimings(double DecodeMs, double DetectMs, double LandmarksMs, double AlignMs, double EmbedMs, double LivenessMs)
{
    /// <summary>Sum of all stages.</summary>
    public double TotalMs => DecodeMs + DetectMs + LandmarksMs + AlignMs + EmbedMs + LivenessMs;
}
