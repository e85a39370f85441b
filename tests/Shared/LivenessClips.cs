using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace PensionCert.Tests.Shared;

/// <summary>
/// The real movement clips of <c>shared/liveness</c> (beside <c>shared/faces</c>, or <c>PENSIONCERT_LIVENESS_DIR</c>), and
/// frames taken from them at test time with ffmpeg (Debian package <c>ffmpeg</c>; test.sh installs it when missing),
/// scaled to 480 pixels wide like the phone page's uploads. Frames are cached per process in a temporary folder; the
/// clips are never copied into the repository.
/// </summary>
public static class LivenessClips
{
    public const string TurnReal = "turn-left-right_real.webm";
    public const string TurnReplayedOnPhone = "turn-left-right_replayed-on-phone.mp4";
    public const string EyesOpenClosed = "eyes-open-closed.mp4";
    public const string GazeOnly = "gaze-only-head-still.mp4";

    private static readonly Lazy<string> RootPath = new(Locate);
    private static readonly Lazy<string> Cache = new(() => Directory.CreateTempSubdirectory("pensioncert-clip-frames-").FullName);
    private static readonly ConcurrentDictionary<string, byte[]> Frames = new(StringComparer.Ordinal);

    /// <summary>The clips folder.</summary>
    public static string Root => RootPath.Value;

    /// <summary>One JPEG frame of <paramref name="clip"/> at <paramref name="seconds"/>, 480 pixels wide.</summary>
    public static byte[] Frame(string clip, double seconds) => Frames.GetOrAdd($"{clip}@{seconds:F2}", _ => Extract(clip, seconds));

    /// <summary>Frames of <paramref name="clip"/> at each of <paramref name="seconds"/>.</summary>
    public static byte[][] FramesAt(string clip, params double[] seconds) => seconds.Select(t => Frame(clip, t)).ToArray();

    /// <summary>A photo of <c>shared/faces</c> (path relative to it) as a 480-pixel-wide JPEG, like a frame of the page.</summary>
    public static byte[] CorpusPhotoAsFrame(string relativePath) =>
        Frames.GetOrAdd("faces:" + relativePath, _ => Run(["-i", SharedFaces.PathOf(relativePath)], "faces-" + Path.GetFileNameWithoutExtension(relativePath)));

    private static byte[] Extract(string clip, double seconds) =>
        Run(["-ss", seconds.ToString("F2", CultureInfo.InvariantCulture), "-i", Path.Combine(Root, "clips", clip)],
            $"{Path.GetFileNameWithoutExtension(clip)}-{seconds.ToString("F2", CultureInfo.InvariantCulture)}");

    private static byte[] Run(string[] input, string name)
    {
        var output = Path.Combine(Cache.Value, name + ".jpg");
        var start = new ProcessStartInfo("ffmpeg", ["-loglevel", "error", "-y", .. input, "-frames:v", "1", "-vf", "scale=480:-2", "-q:v", "5", output])
        { RedirectStandardError = true };
        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start; apt-get install ffmpeg (test.sh does).");
        var errors = ffmpeg.StandardError.ReadToEnd();
        ffmpeg.WaitForExit();
        if (ffmpeg.ExitCode != 0 || !File.Exists(output)) throw new InvalidOperationException($"ffmpeg could not make {name}: {errors}");
        return File.ReadAllBytes(output);
    }

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PENSIONCERT_LIVENESS_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        var besideFaces = Path.Combine(Path.GetDirectoryName(SharedFaces.Root.TrimEnd(Path.DirectorySeparatorChar))!, "liveness");
        if (File.Exists(Path.Combine(besideFaces, "MANIFEST.csv"))) return besideFaces;
        throw new InvalidOperationException("The movement clips shared/liveness were not found beside shared/faces; set PENSIONCERT_LIVENESS_DIR.");
    }
}
