namespace PensionCert.FaceMatching;

/// <summary>Whether the face models are loaded and warmed; read by health checks.</summary>
public interface IFaceModelStatus
{
    /// <summary>True when all four models loaded and one warm-up inference each succeeded.</summary>
    bool IsReady { get; }

    /// <summary>File names of the models that are missing or failed to load (empty when all loaded).</summary>
    IReadOnlyList<string> Missing { get; }
}
