using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>A detected face: box in decoded-image pixels and the detector's face probability.</summary>
internal readonly record struct DetectedFace(SKRect Box, float Score);

/// <summary>
/// fr_detect.onnx (Ultra-Light-Fast-Generic-Face-Detector RFB-320 style, priors baked in): input [1,3,240,320] RGB
/// (p − 127) / 128; outputs <c>scores</c> [1,N,2] (index 1 = face) and <c>boxes</c> [1,N,4] corners normalised to the input.
/// The photo is letterboxed to 4:3 (padding right/bottom with black) before resizing so faces keep their aspect ratio.
/// </summary>
internal static class FaceDetector
{
    public const int InputWidth = 320;
    public const int InputHeight = 240;
    public const float NmsIou = 0.4f;
    public static readonly string[] OutputNames = ["scores", "boxes"];

    /// <summary>Elements of the input tensor: 3 x 240 x 320.</summary>
    public const int InputLength = 3 * InputWidth * InputHeight;

    /// <summary>The input shape [1,3,240,320].</summary>
    public static readonly long[] InputShape = [1, 3, InputHeight, InputWidth];

    /// <summary>
    /// Writes the letterboxed 320x240 detector input of <paramref name="image"/> into <paramref name="tensor"/>
    /// (<see cref="InputLength"/> floats) and returns the 4:3 canvas size in image pixels that the input spans.
    /// </summary>
    public static SKSize Prepare(DecodedImage image, Span<float> tensor)
    {
        // Letterbox: the smallest 4:3 canvas holding the image, anchored top-left.
        var canvasWidth = Math.Max(image.Width, image.Height * 4f / 3f);
        var canvasHeight = canvasWidth * 3f / 4f;
        var k = InputWidth / canvasWidth;
        // Photos shrunk by half or more (640x480 and larger) take the fast nearest-mip path; smaller photos keep the
        // trilinear blend, which there is cheap and which the accuracy figures (evaluate) were calibrated with.
        var sampling = k <= 0.5f ? Resampler.Shrink : Resampler.Smooth;
        using (var input = Resampler.Draw(image, SKMatrix.CreateScale(k, k), InputWidth, InputHeight, sampling))
            Resampler.ToPlanar(input, tensor[..InputLength], 127f, 128f, ModelInputs.Detector);
        return new SKSize(canvasWidth, canvasHeight);
    }

    /// <summary>Detects faces, best first, after non-maximum suppression (IoU 0.4).</summary>
    public static List<DetectedFace> Detect(InferenceSession session, DecodedImage image, float scoreThreshold)
    {
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            var canvas = Prepare(image, tensor);
            var candidates = OnnxRunner.Run(session, tensor, InputShape, OutputNames, outputs =>
            {
                var scores = outputs[0].GetTensorDataAsSpan<float>();
                var boxes = outputs[1].GetTensorDataAsSpan<float>();
                var found = new List<DetectedFace>();
                for (var i = 0; i < scores.Length / 2; i++)
                {
                    var score = scores[2 * i + 1];
                    if (score < scoreThreshold) continue;
                    var box = new SKRect(
                        Math.Clamp(boxes[4 * i] * canvas.Width, 0, image.Width),
                        Math.Clamp(boxes[4 * i + 1] * canvas.Height, 0, image.Height),
                        Math.Clamp(boxes[4 * i + 2] * canvas.Width, 0, image.Width),
                        Math.Clamp(boxes[4 * i + 3] * canvas.Height, 0, image.Height));
                    if (box.Width >= 1 && box.Height >= 1) found.Add(new DetectedFace(box, score));
                }

                return found;
            });
            return Suppress(candidates);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }

    /// <summary>Greedy non-maximum suppression: keeps the best box, drops boxes overlapping it by IoU &gt; 0.4, repeats.</summary>
    internal static List<DetectedFace> Suppress(List<DetectedFace> candidates)
    {
        candidates.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        var kept = new List<DetectedFace>();
        foreach (var candidate in candidates)
        {
            var overlaps = false;
            foreach (var k in kept)
            {
                if (IoU(candidate.Box, k.Box) > NmsIou)
                {
                    overlaps = true;
                    break;
                }
            }

            if (!overlaps) kept.Add(candidate);
        }

        return kept;
    }

    private static float IoU(SKRect a, SKRect b)
    {
        var intersection = SKRect.Intersect(a, b);
        if (intersection.IsEmpty) return 0f;
        var inter = intersection.Width * intersection.Height;
        return inter / (a.Width * a.Height + b.Width * b.Height - inter);
    }
}
