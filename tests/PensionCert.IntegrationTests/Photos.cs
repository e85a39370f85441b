namespace PensionCert.IntegrationTests;

/// <summary>The corpus photos (paths relative to shared/faces) the end-to-end tests use, chosen once.</summary>
internal static class Photos
{
    /// <summary>A genuine pair of one person (reference, probe).</summary>
    public const string GenuineReference = "deepface/img1.jpg";
    public const string GenuineProbe = "deepface/img2.jpg";

    /// <summary>Another person (impostor for <see cref="GenuineReference"/>).</summary>
    public const string Impostor = "deepface/img12.jpg";

    public const string NoFace = "retinaface/no_face.jpg";
    public const string MultipleFaces = "deepface/couple.jpg";

    /// <summary>A live face stored sideways with EXIF orientation 6.</summary>
    public const string Rotated = "silent_face/image_T1.jpg";
}
