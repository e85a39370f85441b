using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// fr_liveness.onnx (Silent-Face-Anti-Spoofing style, minivision-ai): input [1,3,128,128] BGR raw 0..255 of the face box
/// scaled ×2.7 around its centre and kept inside the image; output [1,3] logits, softmax class 0 = live.
/// </summary>
internal static class LivenessScorer
{
    public const int InputSize = 128;
    public const float BoxScale = 2.7f;
    public static readonly string[] OutputNames = ["output"];

    /// <summary>Elements of the input tensor: 3 x 128 x 128.</summary>
    public const int InputLength = 3 * InputSize * InputSize;

    /// <summary>The input shape [1,3,128,128].</summary>
    public static readonly long[] InputShape = [1, 3, InputSize, InputSize];

    /// <summary>Writes the ×2.7 crop around <paramref name="box"/> as raw planar BGR into <paramref name="tensor"/> (<see cref="InputLength"/> floats).</summary>
    public static void Prepare(DecodedImage image, SKRect box, Span<float> tensor)
    {
        var crop = CropBox(box, image.Width, image.Height);
        using var input = Resampler.Draw(image, Resampler.RectToOutput(crop, InputSize, InputSize), InputSize, InputSize, Resampler.Bilinear);
        Resampler.ToPlanar(input, tensor[..InputLength], 0f, 1f, ModelInputs.Liveness);
    }

    /// <summary>Live probability 0..1.</summary>
    public static double Score(InferenceSession session, DecodedImage image, SKRect box)
    {
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            Prepare(image, box, tensor);
            return OnnxRunner.Run(session, tensor, InputShape, OutputNames, outputs =>
            {
                var logits = outputs[0].GetTensorDataAsSpan<float>();
                var max = Math.Max(logits[0], Math.Max(logits[1], logits[2]));
                double sum = 0;
                for (var i = 0; i < 3; i++) sum += Math.Exp(logits[i] - max);
                return Math.Exp(logits[0] - max) / sum;
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }

    /// <summary>
    /// Silent-Face-Anti-Spoofing's <c>CropImage._get_new_box</c>: the box scaled by min(2.7, (H−1)/h, (W−1)/w) around its
    /// centre, then shifted (not shrunk) to lie inside the image.
    /// </summary>
    internal static SKRect CropBox(SKRect box, int width, int height)
    {
        var scale = Math.Min(BoxScale, Math.Min((height - 1) / box.Height, (width - 1) / box.Width));
        float w = box.Width * scale, h = box.Height * scale;
        float left = box.MidX - w / 2, top = box.MidY - h / 2;
        left = Math.Clamp(left, 0, Math.Max(0, width - 1 - w));
        top = Math.Clamp(top, 0, Math.Max(0, height - 1 - h));
        return SKRect.Create(left, top, w, h);
    }
}
