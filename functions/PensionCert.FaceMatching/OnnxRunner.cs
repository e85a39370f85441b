using Microsoft.ML.OnnxRuntime;

namespace PensionCert.FaceMatching;

/// <summary>Runs one session on one float32 tensor with the OrtValue API and disposes every native value.</summary>
internal static class OnnxRunner
{
    private static readonly string[] InputNames = [FaceModels.InputName];

    /// <summary>
    /// Default run options, shared: ONNX Runtime takes them as a read-only argument (<c>const OrtRunOptions*</c>), so one
    /// instance serves concurrent runs and no native object is created per call.
    /// </summary>
    private static readonly RunOptions SharedRunOptions = new();

    /// <summary>
    /// Runs <paramref name="session"/> on <paramref name="input"/> (first <c>product(shape)</c> elements; may be a pooled,
    /// longer array; the tensor wraps the managed memory, no copy) and hands the outputs, in the order of
    /// <paramref name="outputNames"/>, to <paramref name="read"/> while they are still alive.
    /// </summary>
    public static T Run<T>(InferenceSession session, float[] input, long[] shape, string[] outputNames, Func<IReadOnlyList<OrtValue>, T> read)
    {
        var length = 1L;
        foreach (var dimension in shape) length *= dimension;
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, (int)length), shape);
        using var outputs = session.Run(SharedRunOptions, InputNames, [inputValue], outputNames);
        return read(outputs as IReadOnlyList<OrtValue> ?? [.. outputs]);
    }
}
