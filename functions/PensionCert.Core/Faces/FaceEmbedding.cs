using System.Buffers.Binary;
using System.Numerics.Tensors;

namespace PensionCert.Core.Faces;

/// <summary>
/// An L2-normalised face embedding (fr_feature.onnx: 512 float32 values for a 112x112 aligned face).
/// Immutable; compare two embeddings with <see cref="CosineSimilarity"/>.
/// </summary>
public sealed class FaceEmbedding
{
    private readonly float[] _values;

    private FaceEmbedding(float[] values) => _values = values;

    /// <summary>Number of dimensions (512 for fr_feature.onnx).</summary>
    public int Dimensions => _values.Length;

    /// <summary>The normalised values (unit L2 norm).</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>
    /// Creates an embedding from raw model output, L2-normalising it.
    /// </summary>
    /// <exception cref="ArgumentException">The vector is empty, has a zero norm or contains NaN/∞.</exception>
    public static FaceEmbedding FromRaw(ReadOnlySpan<float> raw)
    {
        if (raw.IsEmpty) throw new ArgumentException("An embedding needs at least one dimension.", nameof(raw));
        var norm = TensorPrimitives.Norm(raw);
        if (!float.IsFinite(norm) || norm <= 0f) throw new ArgumentException("An embedding needs a finite, non-zero norm.", nameof(raw));
        var values = new float[raw.Length];
        TensorPrimitives.Divide(raw, norm, values);
        return new FaceEmbedding(values);
    }

    /// <summary>
    /// Cosine similarity in [-1, 1]; since both vectors are unit length this is their dot product
    /// (Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face Recognition", CVPR 2019).
    /// </summary>
    /// <exception cref="ArgumentException">The embeddings have different dimensions (different models).</exception>
    public double CosineSimilarity(FaceEmbedding other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Dimensions != Dimensions)
            throw new ArgumentException($"Embedding dimensions differ ({Dimensions} vs {other.Dimensions}); they come from different models.", nameof(other));
        return TensorPrimitives.Dot<float>(_values, other._values);
    }

    /// <summary>Serialises to little-endian float32 bytes (4 × <see cref="Dimensions"/> bytes) for Table storage.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[_values.Length * sizeof(float)];
        for (var i = 0; i < _values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), _values[i]);
        return bytes;
    }

    /// <summary>Reads bytes written by <see cref="ToBytes"/>.</summary>
    /// <exception cref="ArgumentException">The length is not a positive multiple of 4.</exception>
    public static FaceEmbedding FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes.Length % sizeof(float) != 0)
            throw new ArgumentException("Embedding bytes must be a positive multiple of 4.", nameof(bytes));
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        return FromRaw(values);
    }
}
