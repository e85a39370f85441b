using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>
/// fr_landmark.onnx: input [1,1,64,64] grey p / 256 of a square crop centred on the face box (side = box height);
/// output [1,136] = 68 (x, y) points of the iBUG 300-W layout, normalised 0..1 to the crop.
/// </summary>
internal static class LandmarkDetector
{
    public const int InputSize = 64;
    public const int PointCount = 68;
    public static readonly string[] OutputNames = ["output"];

    /// <summary>Elements of the input tensor: 64 x 64.</summary>
    public const int InputLength = InputSize * InputSize;

    /// <summary>The input shape [1,1,64,64].</summary>
    public static readonly long[] InputShape = [1, 1, InputSize, InputSize];

    /// <summary>
    /// Writes the 64x64 grey crop around <paramref name="box"/> into <paramref name="tensor"/> (<see cref="InputLength"/>
    /// floats, p / 256) and returns the crop in image pixels.
    /// </summary>
    public static SKRect Prepare(DecodedImage image, SKRect box, Span<float> tensor)
    {
        var side = box.Height;
        var crop = SKRect.Create(box.MidX - side / 2, box.MidY - side / 2, side, side);
        Span<byte> grey = stackalloc byte[InputLength];
        using (var input = Resampler.Draw(image, Resampler.RectToOutput(crop, InputSize, InputSize), InputSize, InputSize))
            Resampler.ToGrey(input, grey);
        for (var i = 0; i < InputLength; i++) tensor[i] = grey[i] / 256f;
        return crop;
    }

    /// <summary>Returns the 68 landmarks in decoded-image pixel coordinates.</summary>
    public static SKPoint[] Detect(InferenceSession session, DecodedImage image, SKRect box)
    {
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            var crop = Prepare(image, box, tensor);
            return OnnxRunner.Run(session, tensor, InputShape, OutputNames, outputs =>
            {
                var values = outputs[0].GetTensorDataAsSpan<float>();
                var points = new SKPoint[PointCount];
                for (var i = 0; i < PointCount; i++)
                    points[i] = new SKPoint(crop.Left + values[2 * i] * crop.Width, crop.Top + values[2 * i + 1] * crop.Height);
                return points;
            });
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }

    /// <summary>
    /// The five alignment points (0-based iBUG indices): left eye = mean of 37, 38, 40, 41; right eye = mean of 43, 44,
    /// 46, 47; nose tip = 30; left mouth corner = mean of 48 and 60; right mouth corner = mean of 54 and 64.
    /// </summary>
    public static SKPoint[] FivePoints(IReadOnlyList<SKPoint> p) =>
    [
        Mean(p[37], p[38], p[40], p[41]),
        Mean(p[43], p[44], p[46], p[47]),
        p[30],
        Mean(p[48], p[60]),
        Mean(p[54], p[64]),
    ];

    private static SKPoint Mean(params ReadOnlySpan<SKPoint> points)
    {
        float x = 0, y = 0;
        foreach (var point in points)
        {
            x += point.X;
            y += point.Y;
        }

        return new SKPoint(x / points.Length, y / points.Length);
    }
}
