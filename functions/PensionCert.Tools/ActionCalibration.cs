using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PensionCert.Core.Faces;
using PensionCert.FaceMatching;

namespace PensionCert.Tools;

/// <summary>
/// <c>read-frames</c>: extracts frames of a movement clip with ffmpeg (scaled like the phone page's uploads) and prints
/// what the action-challenge models read on each: faces, fr_pose yaw and pitch, fr_eye closed probability, passive
/// liveness, and similarity to the clip's most frontal frame. The pose and eye thresholds of
/// ActionLivenessOptions were calibrated with this command on <c>shared/liveness/clips</c>.
/// </summary>
public static class ActionCalibration
{
    public static async Task<int> RunAsync(FileInfo clip, double fps, int width, double[] at, TextWriter output, CancellationToken cancellationToken, double noise = 0)
    {
        if (!clip.Exists)
        {
            await Console.Error.WriteLineAsync($"error: {clip.FullName} not found");
            return 2;
        }
        var dir = Directory.CreateTempSubdirectory("pensioncert-frames-");
        try
        {
            // Either every frame at --fps, or single frames at the --at times (as the tests take them: ffmpeg -ss T -frames:v 1).
            var runs = at.Length == 0
                ? [["-loglevel", "error", "-i", clip.FullName, "-vf", $"fps={fps.ToString(CultureInfo.InvariantCulture)},scale={width}:-2", "-q:v", "5", Path.Combine(dir.FullName, "f%04d.jpg")]]
                : at.Select((t, i) => new[] { "-loglevel", "error", "-ss", t.ToString("F2", CultureInfo.InvariantCulture), "-i", clip.FullName, "-frames:v", "1",
                    "-vf", $"scale={width}:-2", "-q:v", "5", Path.Combine(dir.FullName, $"f{i:D4}.jpg") }).ToArray();
            foreach (var arguments in runs)
            {
                using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", arguments)) ?? throw new InvalidOperationException("ffmpeg did not start (apt-get install ffmpeg)");
                await ffmpeg.WaitForExitAsync(cancellationToken);
                if (ffmpeg.ExitCode != 0) return ffmpeg.ExitCode;
            }

            using var models = new FaceModels(Options.Create(new FaceModelOptions()), NullLogger<FaceModels>.Instance);
            using var actionModels = new ActionModels(Options.Create(new FaceModelOptions()));
            var analyzer = new ActionFrameAnalyzer(models, actionModels, Options.Create(new FaceQualityOptions()));
            var files = dir.GetFiles("f*.jpg").OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();
            var readings = files.Select((f, i) =>
            {
                var bytes = File.ReadAllBytes(f.FullName);
                return analyzer.Read(noise > 0 ? PensionCert.Tests.Shared.PhotoTransforms.AddNoise(bytes, noise, seed: i, quality: 90) : bytes);
            }).ToArray();
            // The anchor as the verifier picks it: the frontal frame (fr_pose and landmarks agree) with the highest liveness.
            var verifier = new Core.Sessions.ActionLivenessVerifier(Options.Create(new Core.Sessions.ActionLivenessOptions()));
            var frontal = readings.Where(verifier.IsFrontal).MaxBy(r => r.LivenessScore);
            await output.WriteLineAsync("time_s  faces  yaw_deg  lm_yaw  pitch_deg  eyes_closed  liveness  noise  similarity_to_anchor  frontal  problem");
            for (var i = 0; i < readings.Length; i++)
            {
                var r = readings[i];
                var t = at.Length == 0 ? (i + 0.5) / fps : at[i];
                var similarity = r.HasFace && frontal is not null ? r.Embedding!.CosineSimilarity(frontal.Embedding!) : double.NaN;
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{t,6:F2}  {r.FaceCount,5}  {r.YawDegrees,7:F1}  {r.LandmarkYawDegrees,6:F1}  {r.PitchDegrees,9:F1}  {r.EyesClosedProbability,11:F2}  {r.LivenessScore,8:F3}  {r.NoiseLevel,5:F1}  {similarity,20:F3}  {(verifier.IsFrontal(r) ? "yes" : "-"),7}  {r.Problem?.Code ?? "-"}"));
            }
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
