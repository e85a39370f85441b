using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>The face a photo is about, and the other face that makes it ambiguous, if any.</summary>
/// <param name="Main">The pensioner's face: among the faces comparable in size to the largest, the one nearest the centre.</param>
/// <param name="Rival">A second face comparable in size to the main one and wholly inside the frame; null when none.</param>
internal readonly record struct MainFace(DetectedFace Main, DetectedFace? Rival)
{
    /// <summary>True when another person's face competes with the main one: the photo must be retaken.</summary>
    public bool IsAmbiguous => Rival is not null;
}

/// <summary>
/// The main-face rule for crowded frames (issue #12). A selfie or a reference photo often shows part of someone else:
/// a helper's face cut by the frame's edge, a crowd in the background, a neighbour in an LFW press crop. The pensioner's
/// face is the largest one nearest the centre; another face counts only when it is comparable in size
/// (<see cref="FaceQualityOptions.ProminentFaceAreaRatio"/>) and inside the frame (its box keeps
/// <see cref="FaceQualityOptions.SecondFaceEdgeMarginRatio"/> of its width from every edge). Only then is the frame
/// ambiguous (two similar faces: a helper leaning in) and refused with a retake message.
/// </summary>
internal static class MainFaceSelector
{
    public static MainFace Select(IReadOnlyList<DetectedFace> faces, int width, int height, double comparableAreaRatio, double edgeMarginRatio)
    {
        if (faces.Count == 0) throw new ArgumentException("At least one face is needed.", nameof(faces));
        var largest = faces.Max(f => Area(f.Box));
        var centre = new SKPoint(width / 2f, height / 2f);
        var main = faces.Where(f => Area(f.Box) >= comparableAreaRatio * largest)
            .MinBy(f => Distance(new SKPoint(f.Box.MidX, f.Box.MidY), centre));
        DetectedFace? rival = null;
        foreach (var face in faces)
        {
            if (face.Box == main.Box || Area(face.Box) < comparableAreaRatio * Area(main.Box)) continue;
            if (!Inside(face.Box, width, height, edgeMarginRatio)) continue;
            if (rival is null || Area(face.Box) > Area(rival.Value.Box)) rival = face;
        }

        return new MainFace(main, rival);
    }

    /// <summary>True when the box keeps <paramref name="marginRatio"/> × its width from every edge of the frame (not cut by it).</summary>
    internal static bool Inside(SKRect box, int width, int height, double marginRatio)
    {
        var margin = (float)(marginRatio * box.Width);
        return box.Left >= margin && box.Top >= margin && box.Right <= width - margin && box.Bottom <= height - margin;
    }

    private static float Area(SKRect box) => box.Width * box.Height;

    private static float Distance(SKPoint a, SKPoint b) => SKPoint.Distance(a, b);
}
