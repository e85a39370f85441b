using Microsoft.ML.OnnxRuntime;

namespace PensionCert.FaceMatching;

/// <summary>Runs one session on one float32 tensor with the OrtValue API and disposes every native value.</summary>
internal static class OnnxRunner
{
    private static readonly string[] InputNames = [FaceModels.InputName];

    /// <summary>
    /// Runs <paramref name="session"/> on <paramref name="input"/> (first <c>product(shape)</c> elements; may be a pooled,
    /// longer array) and hands the outputs, in the order of <paramref name="outputNames"/>, to <paramref name="read"/>
    /// while they are still alive.
    /// </summary>
    public static T Run<T>(InferenceSession session, float[] input, long[] shape, string[] outputNames, Func<IReadOnlyList<OrtValue>, T> read)
    {
        var length = (int)shape.Aggregate(1L, (a, b) => a * b);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, length), shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, InputNames, [inputValue], outputNames);
        return read(outputs.ToArray());
    }
}
