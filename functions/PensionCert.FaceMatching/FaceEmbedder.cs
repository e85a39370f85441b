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

    /// <summary>
    /// Embeds the aligned face mirrored left to right, from its RGBA pixels (<see cref="InputSize"/> square): the tensor is
    /// written with each row reversed, so no bitmap is needed. Same normalisation and channel order as <see cref="Embed"/>.
    /// </summary>
    public static FaceEmbedding EmbedMirrored(InferenceSession session, byte[] rgba)
    {
        ArgumentNullException.ThrowIfNull(rgba);
        const int plane = InputSize * InputSize;
        if (rgba.Length != plane * 4) throw new ArgumentException("Expected the aligned face's RGBA pixels.", nameof(rgba));
        var tensor = ArrayPool<float>.Shared.Rent(InputLength);
        try
        {
            var bgr = ModelInputs.Feature == ChannelOrder.Bgr;
            int rPlane = bgr ? 2 * plane : 0, bPlane = bgr ? 0 : 2 * plane;
            for (var y = 0; y < InputSize; y++)
            {
                for (var x = 0; x < InputSize; x++)
                {
                    var p = (y * InputSize + InputSize - 1 - x) * 4;
                    var i = y * InputSize + x;
                    tensor[rPlane + i] = (rgba[p] - 127f) / 128f;
                    tensor[plane + i] = (rgba[p + 1] - 127f) / 128f;
                    tensor[bPlane + i] = (rgba[p + 2] - 127f) / 128f;
                }
            }

            return OnnxRunner.Run(session, tensor, InputShape, OutputNames,
                outputs => FaceEmbedding.FromRaw(outputs[0].GetTensorDataAsSpan<float>()));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }
}
