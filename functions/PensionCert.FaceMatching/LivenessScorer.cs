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
    public static double Score(InferenceSession session, DecodedImage image, SKRect box) => Score(session, image, box, 0, out _);

    /// <summary>
    /// Live probability 0..1, and the noise level (<see cref="NoiseEstimator"/>, grey levels) of the face box inside the
    /// model's input. Noise added to a photo of a screen or a print raises the model's live probability (tester finding
    /// F3), so when the noise is above <paramref name="denoiseAbove"/> (0 = never) the input is also scored smoothed down
    /// to an ordinary camera's noise (<see cref="Denoise"/>) and the lower of the two probabilities is returned: a
    /// live face stays live when smoothed, a replay whose "liveness" was the noise does not.
    /// </summary>
    public static double Score(InferenceSession session, DecodedImage image, SKRect box, double denoiseAbove, out double noise)
    {
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            Prepare(image, box, tensor);
            noise = NoiseEstimator.Estimate(tensor.AsSpan(0, InputLength), InputSize, FaceRegion(box, image.Width, image.Height));
            var live = Run(session, tensor);
            if (denoiseAbove <= 0 || noise <= denoiseAbove) return live;
            Denoise(tensor.AsSpan(0, InputLength), noise);
            return Math.Min(live, Run(session, tensor));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }

    /// <summary>
    /// Residual noise (grey levels) the smoothing of <see cref="Denoise"/> aims at: the corpus's live photos measure a
    /// median of about 1 and a 95th percentile of about 4 (README, "Passive liveness").
    /// </summary>
    public const double DenoiseTarget = 2.0;

    /// <summary>
    /// Gaussian smoothing of each plane of the input, with σ chosen so white noise of standard deviation
    /// <paramref name="noise"/> is brought down to <see cref="DenoiseTarget"/>: a 2-D Gaussian of σ_b keeps
    /// 1 / (2√π σ_b) of white noise's standard deviation, so σ_b = noise / (2√π · target), at most 4 px.
    /// </summary>
    internal static void Denoise(Span<float> tensor, double noise)
    {
        var sigma = Math.Min(4.0, noise / (2 * Math.Sqrt(Math.PI) * DenoiseTarget));
        var radius = (int)Math.Ceiling(3 * sigma);
        var kernel = new float[2 * radius + 1];
        float sum = 0;
        for (var i = -radius; i <= radius; i++) sum += kernel[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (var i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        var scratch = new float[InputSize * InputSize];
        for (var c = 0; c < 3; c++)
        {
            var plane = tensor.Slice(c * InputSize * InputSize, InputSize * InputSize);
            // Rows into scratch, then columns back into the plane; edges clamped.
            for (var y = 0; y < InputSize; y++)
                for (var x = 0; x < InputSize; x++)
                {
                    float v = 0;
                    for (var k = -radius; k <= radius; k++) v += kernel[k + radius] * plane[y * InputSize + Math.Clamp(x + k, 0, InputSize - 1)];
                    scratch[y * InputSize + x] = v;
                }
            for (var y = 0; y < InputSize; y++)
                for (var x = 0; x < InputSize; x++)
                {
                    float v = 0;
                    for (var k = -radius; k <= radius; k++) v += kernel[k + radius] * scratch[Math.Clamp(y + k, 0, InputSize - 1) * InputSize + x];
                    plane[y * InputSize + x] = v;
                }
        }
    }

    private static double Run(InferenceSession session, float[] tensor) =>
        OnnxRunner.Run(session, tensor, InputShape, OutputNames, outputs =>
        {
            var logits = outputs[0].GetTensorDataAsSpan<float>();
            var max = Math.Max(logits[0], Math.Max(logits[1], logits[2]));
            double sum = 0;
            for (var i = 0; i < 3; i++) sum += Math.Exp(logits[i] - max);
            return Math.Exp(logits[0] - max) / sum;
        });

    /// <summary>The face box in the coordinates of the 128x128 model input (the crop of <see cref="CropBox"/> resized).</summary>
    internal static (int Left, int Top, int Right, int Bottom) FaceRegion(SKRect box, int width, int height)
    {
        var crop = CropBox(box, width, height);
        float sx = InputSize / crop.Width, sy = InputSize / crop.Height;
        return ((int)MathF.Floor((box.Left - crop.Left) * sx), (int)MathF.Floor((box.Top - crop.Top) * sy),
            (int)MathF.Ceiling((box.Right - crop.Left) * sx), (int)MathF.Ceiling((box.Bottom - crop.Top) * sy));
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
