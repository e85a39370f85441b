using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>fr_feature.onnx: input [1,3,112,112] BGR (<see cref="ModelInputs.Feature"/>) (p − 127) / 128 of the aligned face; output [1,512], L2-normalised here.</summary>
internal static class FaceEmbedder
{
    public const int InputSize = FaceAligner.OutputSize;
    public static readonly string[] OutputNames = ["output"];

    /// <summary>Elements of the input tensor: 3 x 112 x 112.</summary>
    public const int InputLength = 3 * InputSize * InputSize;

    /// <summary>The input shape [1,3,112,112].</summary>
    public static readonly long[] InputShape = [1, 3, InputSize, InputSize];

    /// <summary>
    /// Writes the aligned face as (p − 127) / 128 planar, in <paramref name="order"/> (the model's
    /// <see cref="ModelInputs.Feature"/>; another order only for tests that show the difference), into
    /// <paramref name="tensor"/> (<see cref="InputLength"/> floats).
    /// </summary>
    public static void Prepare(SKBitmap aligned, Span<float> tensor, ChannelOrder order = ModelInputs.Feature) =>
        Resampler.ToPlanar(aligned, tensor[..InputLength], 127f, 128f, order);

    /// <summary>Embeds the aligned 112x112 face; the result is L2-normalised.</summary>
    public static FaceEmbedding Embed(InferenceSession session, SKBitmap aligned, ChannelOrder order = ModelInputs.Feature)
    {
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            Prepare(aligned, tensor, order);
            return OnnxRunner.Run(session, tensor, InputShape, OutputNames,
                outputs => FaceEmbedding.FromRaw(outputs[0].GetTensorDataAsSpan<float>()));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }

    /// <summary>
    /// Flipped-image fusion: the raw embeddings of the aligned face and of its mirror image, added, then L2-normalised
    /// (two fr_feature runs).
    /// </summary>
    public static FaceEmbedding EmbedWithFlip(InferenceSession session, SKBitmap aligned)
    {
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            Prepare(aligned, tensor, ModelInputs.Feature);
            var sum = OnnxRunner.Run(session, tensor, InputShape, OutputNames, outputs => outputs[0].GetTensorDataAsSpan<float>().ToArray());
            using var mirrored = new SKBitmap(aligned.Info);
            using (var canvas = new SKCanvas(mirrored))
            {
                canvas.Scale(-1, 1, aligned.Width / 2f, 0);
                using var image = SKImage.FromBitmap(aligned);
                canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
            }

            Prepare(mirrored, tensor, ModelInputs.Feature);
            OnnxRunner.Run(session, tensor, InputShape, OutputNames, outputs =>
            {
                var flipped = outputs[0].GetTensorDataAsSpan<float>();
                for (var i = 0; i < sum.Length; i++) sum[i] += flipped[i];
                return 0;
            });
            return FaceEmbedding.FromRaw(sum);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }
}
