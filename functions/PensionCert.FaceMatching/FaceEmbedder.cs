using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using PensionCert.Core.Faces;
using SkiaSharp;

namespace PensionCert.FaceMatching;

/// <summary>fr_feature.onnx: input [1,3,112,112] RGB (p − 127) / 128 of the aligned face; output [1,512], L2-normalised here.</summary>
internal static class FaceEmbedder
{
    public const int InputSize = FaceAligner.OutputSize;
    public static readonly string[] OutputNames = ["output"];

    public static FaceEmbedding Embed(InferenceSession session, SKBitmap aligned)
    {
        const int length = 3 * InputSize * InputSize;
        var tensor = ArrayPool<float>.Shared.Rent(length);
        try
        {
            Resampler.ToPlanar(aligned, tensor.AsSpan(0, length), 127f, 128f, bgr: false);
            return OnnxRunner.Run(session, tensor, [1, 3, InputSize, InputSize], OutputNames,
                outputs => FaceEmbedding.FromRaw(outputs[0].GetTensorDataAsSpan<float>()));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tensor);
        }
    }
}
