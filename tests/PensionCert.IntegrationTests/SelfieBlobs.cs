using PensionCert.Core.Storage;
using PensionCert.Infrastructure;

namespace PensionCert.IntegrationTests;

/// <summary>Finds a certification's selfie when its record (which names the blob) may be gone.</summary>
internal static class SelfieBlobs
{
    /// <summary>True when any selfie blob belongs to <paramref name="certificationId"/> (dated or named by the id alone).</summary>
    public static async Task<bool> AnySelfieOfAsync(this StorageClients storage, string certificationId)
    {
        await foreach (var blob in storage.Selfies.GetBlobsAsync())
            if (SelfieNames.CertificationIdOf(blob.Name) == certificationId) return true;
        return false;
    }
}
