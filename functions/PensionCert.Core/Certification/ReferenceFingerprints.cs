using Microsoft.Extensions.Logging;
using PensionCert.Core.Faces;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>
/// The migration of references enrolled before pixel fingerprints were kept (<see cref="PensionerProfile.ReferenceFingerprint"/>
/// null): at the pensioner's next verification the worker analyses the stored reference photo again, decides with its
/// fingerprint (<see cref="CompleteAsync"/>), and stores it on the profile once the decision is written
/// (<see cref="StoreAsync"/>), so the near-duplicate replay test applies to every pensioner from their first
/// verification after the upgrade, at the cost of one reference analysis (about 20-40 ms) per pensioner once.
/// Live references kept before have no fingerprint and get none (their selfie may be deleted already); they are
/// replaced by newer ones within <see cref="VerificationOptions.MaxLiveReferences"/> approvals.
/// </summary>
public sealed partial class ReferenceFingerprints(IPensionerRepository pensioners, IPhotoStore photos, IFaceAnalyzer analyzer, ILogger<ReferenceFingerprints> logger)
{
    /// <summary>
    /// <paramref name="profile"/> with its enrolled reference's fingerprint computed from the stored reference photo when
    /// it has none (in memory only: <see cref="StoreAsync"/> writes it); the profile unchanged when it has one, or when
    /// the photo is gone or no longer yields a face (logged, no personal data: the test then has only the embeddings).
    /// </summary>
    public async Task<PensionerProfile> CompleteAsync(PensionerProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.ReferenceFingerprint is not null) return profile;
        var photo = await photos.DownloadAsync(PhotoContainer.References, profile.ReferenceBlobName, cancellationToken);
        var analysis = photo is null ? null : await analyzer.AnalyzeAsync(photo, FaceAnalysisPurpose.Enrollment, cancellationToken);
        if (analysis?.Fingerprint is not { } fingerprint)
        {
            LogNotComputed(logger, profile.PensionerId, profile.ReferenceVersion, photo is null ? "photo-missing" : string.Join(',', analysis!.Problems.Select(p => p.Code)));
            return profile;
        }
        return profile with { ReferenceFingerprint = fingerprint };
    }

    /// <summary>
    /// Stores the fingerprint that <see cref="CompleteAsync"/> computed for <paramref name="completed"/>, unless the profile
    /// has one meanwhile, its reference changed (another version) or it was erased; a concurrent change is read again
    /// (up to five times; otherwise the next verification computes it again). Returns true when written.
    /// </summary>
    public async Task<bool> StoreAsync(PensionerProfile completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        if (completed.ReferenceFingerprint is not { } fingerprint) return false;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var current = await pensioners.GetAsync(completed.PensionerId, cancellationToken);
            if (current is null || current.ReferenceFingerprint is not null || current.ReferenceVersion != completed.ReferenceVersion
                || current.ReferenceBlobName != completed.ReferenceBlobName) return false;
            try
            {
                await pensioners.UpdateAsync(current with { ReferenceFingerprint = fingerprint }, cancellationToken);
                LogStored(logger, completed.PensionerId, completed.ReferenceVersion);
                return true;
            }
            catch (ConcurrencyConflictException)
            {
            }
        }
        return false;
    }

    [LoggerMessage(EventId = 3030, Level = LogLevel.Information, Message = "Pensioner {PensionerId}: fingerprint of reference version {Version} computed from the stored photo and stored")]
    private static partial void LogStored(ILogger logger, string pensionerId, int version);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Warning, Message = "Pensioner {PensionerId}: no fingerprint for reference version {Version} ({Outcome}); the replay check uses the embeddings only")]
    private static partial void LogNotComputed(ILogger logger, string pensionerId, int version, string outcome);
}
