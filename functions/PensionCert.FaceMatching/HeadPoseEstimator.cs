using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>Head pose in degrees from fr_pose (HopeNet style). Positive yaw: face turned towards the image's left.</summary>
internal readonly record struct HeadPose(double Yaw, double Pitch, double Roll);

/// <summary>
/// fr_pose: the face box enlarged by a quarter of its width and height on every side (clamped), 224x224 RGB, ImageNet
/// normalisation; each of the three outputs (yaw, pitch, roll) is a softmax over 66 bins, expected bin × 3 − 99 degrees
/// (as the package's lib/fr_pose.js; preprocessing measured in shared/MODELS.md).
/// </summary>
internal static class HeadPoseEstimator
{
    private const int Input = 224;
    private static readonly long[] Shape = [1, 3, Input, Input];
    private static readonly string[] Outputs = ["output", "617", "618"];
    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static HeadPose Estimate(InferenceSession session, DecodedImage image, SKRect box)
    {
        var dx = box.Width / 4;
        var dy = box.Height / 4;
        var crop = new SKRect(Math.Max(0, box.Left - dx), Math.Max(0, box.Top - dy), Math.Min(image.Width, box.Right + dx), Math.Min(image.Height, box.Bottom + dy));
        var tensor = ArrayPool<float>.Shared.Rent(3 * Input * Input);
        try
        {
            using (var input = Resampler.Draw(image, Resampler.RectToOutput(crop, Input, Input), Input, Input, Resampler.Bilinear))
            {
                var pixels = input.GetPixelSpan();
                const int plane = Input * Input;
                for (int i = 0, p = 0; i < plane; i++, p += 4)
                    for (var c = 0; c < 3; c++)
                        tensor[c * plane + i] = (pixels[p + c] / 255f - ImageNetMean[c]) / ImageNetStd[c];
            }
            return OnnxRunner.Run(session, tensor, Shape, Outputs, outputs => new HeadPose(
                ExpectedDegrees(outputs[0].GetTensorDataAsSpan<float>()),
                ExpectedDegrees(outputs[1].GetTensorDataAsSpan<float>()),
                ExpectedDegrees(outputs[2].GetTensorDataAsSpan<float>())));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }

    /// <summary>Softmax over the 66 bins, expected bin index × 3 − 99 (as the package's lib/fr_pose.js).</summary>
    private static double ExpectedDegrees(ReadOnlySpan<float> logits)
    {
        var max = float.MinValue;
        foreach (var l in logits) max = Math.Max(max, l);
        double sum = 0, expected = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            var e = Math.Exp(logits[i] - max);
            sum += e;
            expected += e * i;
        }
        return expected / sum * 3 - 99;
    }
}
