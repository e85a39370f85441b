using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Identity;
using PensionCert.Core.Photos;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Certification;

/// <summary>A certification request as received (unvalidated strings).</summary>
/// <param name="IdNumber">Citizen ID number; either this or <paramref name="PensionerId"/>.</param>
/// <param name="PensionerId">Pensioner id returned at enrollment.</param>
/// <param name="Channel">Wire name of the channel (alipay, wechat, e-ssc, app, counter, community, home-visit).</param>
/// <param name="IdempotencyKey">Optional Idempotency-Key header value.</param>
/// <param name="ClientId">Which client key made the call (scopes idempotency keys).</param>
/// <param name="AllowedChannels">The channels the caller's client key may submit for; null when the host does not restrict them.</param>
public sealed record SubmitCertificationCommand(string? IdNumber, string? PensionerId, string? Channel, string? IdempotencyKey, string ClientId,
    IReadOnlySet<CertificationChannel>? AllowedChannels = null);

/// <summary>A selfie already streamed to Blob storage under a fresh certification id.</summary>
/// <param name="CertificationId">The id the selfie was stored under.</param>
/// <param name="BlobName">Blob name in the selfie container.</param>
/// <param name="Sha256">SHA-256 of the photo bytes.</param>
/// <param name="Length">Photo size in bytes.</param>
public sealed record StagedPhoto(string CertificationId, string BlobName, byte[] Sha256, long Length);

/// <summary>The accepted submission.</summary>
/// <param name="Record">The certification record (Pending, or further along for an idempotent repeat).</param>
/// <param name="Replayed">True when an Idempotency-Key matched an earlier identical submission.</param>
public sealed record SubmissionResult(CertificationRecord Record, bool Replayed);

/// <summary>
/// Accepts certification submissions: streams the selfie to Blob storage, honours Idempotency-Key, sends one
/// verification message and writes the Pending record. The message is sent before the record is written, so a
/// crash can leave at most a message without a record (dropped by the worker after a grace period), never a
/// Pending record that no worker will pick up.
/// </summary>
public sealed partial class CertificationService(
    IPensionerRepository pensioners,
    ICertificationRepository certifications,
    IIdempotencyStore idempotency,
    IPhotoStore photos,
    IVerificationQueue queue,
    IIdNumberHasher hasher,
    AttemptLimiter attemptLimiter,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<CertificationService> logger)
{
    private const int MaxIdempotencyKeyLength = 128;

    /// <summary>The largest photo accepted, in bytes.</summary>
    public long MaxPhotoBytes => options.Value.MaxPhotoBytes;

    /// <summary>
    /// Validates the fields that do not need storage (channel, identifier shape, idempotency key), so a request with
    /// bad fields is refused before its photo is stored.
    /// </summary>
    /// <exception cref="ProblemException">invalid-channel, channel-not-allowed (403), pensioner-identifier-missing, conflicting-identifiers, invalid-id-number, invalid-idempotency-key.</exception>
    public void ValidateFields(SubmitCertificationCommand command)
    {
        var channel = ParseChannel(command.Channel);
        if (command.AllowedChannels is { } allowed && !allowed.Contains(channel))
            throw new ProblemException(ProblemTypes.ChannelNotAllowed);
        ValidateIdempotencyKey(command.IdempotencyKey);
        if (!string.IsNullOrWhiteSpace(command.PensionerId) && !string.IsNullOrWhiteSpace(command.IdNumber))
            throw new ProblemException(ProblemTypes.ConflictingIdentifiers);
        if (string.IsNullOrWhiteSpace(command.PensionerId))
        {
            if (string.IsNullOrWhiteSpace(command.IdNumber)) throw new ProblemException(ProblemTypes.MissingPensioner);
            RequestValidation.RequireIdNumber(command.IdNumber, ChinaTime.Today(timeProvider));
        }
    }

    /// <summary>Streams a selfie to Blob storage under a new certification id, checking format and size as it goes.</summary>
    /// <exception cref="ProblemException">photo-missing, photo-unsupported-format, photo-heic-unsupported (415), photo-too-large (413).</exception>
    public async Task<StagedPhoto> StagePhotoAsync(Stream photo, CancellationToken cancellationToken)
    {
        var certificationId = Ids.NewCertificationId();
        await using var upload = await PhotoUploadStream.OpenAsync(photo, options.Value.MaxPhotoBytes, cancellationToken);
        try
        {
            await photos.UploadAsync(PhotoContainer.Selfies, certificationId, upload, PhotoFormatSniffer.ContentType(upload.Format), cancellationToken);
        }
        catch (ProblemException)
        {
            await photos.DeleteAsync(PhotoContainer.Selfies, certificationId, CancellationToken.None);
            throw;
        }
        return new StagedPhoto(certificationId, certificationId, upload.GetHashAndReset(), upload.BytesRead);
    }

    /// <summary>Deletes a staged selfie whose request was refused.</summary>
    public Task DiscardAsync(StagedPhoto photo, CancellationToken cancellationToken) =>
        photos.DeleteAsync(PhotoContainer.Selfies, photo.BlobName, cancellationToken);

    /// <summary>
    /// Accepts a submission whose selfie is staged. On any refusal the staged selfie is deleted.
    /// </summary>
    /// <exception cref="ProblemException">Validation (400), pensioner-not-found (404), idempotency-key-reused (409), daily-attempts-exhausted (429).</exception>
    public async Task<SubmissionResult> SubmitAsync(SubmitCertificationCommand command, StagedPhoto photo, CancellationToken cancellationToken)
    {
        try
        {
            return await SubmitStagedAsync(command, photo, cancellationToken);
        }
        catch (ProblemException)
        {
            await DiscardAsync(photo, CancellationToken.None);
            throw;
        }
    }

    private async Task<SubmissionResult> SubmitStagedAsync(SubmitCertificationCommand command, StagedPhoto photo, CancellationToken cancellationToken)
    {
        ValidateFields(command);
        var channel = ParseChannel(command.Channel);
        var pensionerId = await ResolvePensionerAsync(command, cancellationToken);
        await attemptLimiter.EnsureAllowedAsync(pensionerId, channel, cancellationToken);
        var now = timeProvider.GetUtcNow();

        var certificationId = photo.CertificationId;
        var blobName = photo.BlobName;
        if (!string.IsNullOrEmpty(command.IdempotencyKey))
        {
            var requestHash = RequestHash(pensionerId, channel, photo.Sha256);
            var bound = await idempotency.ClaimAsync(ScopeKey(command.ClientId, command.IdempotencyKey), new IdempotencyEntry(certificationId, requestHash, now),
                now - CertificationOptions.IdempotencyKeyLifetime, cancellationToken);
            if (bound.CertificationId != certificationId)
            {
                await DiscardAsync(photo, cancellationToken);
                if (!string.Equals(bound.RequestHash, requestHash, StringComparison.Ordinal))
                    throw new ProblemException(ProblemTypes.IdempotencyKeyReused);
                var earlier = await certifications.GetAsync(bound.CertificationId, cancellationToken);
                if (earlier is not null)
                {
                    LogReplayed(logger, earlier.CertificationId);
                    return new SubmissionResult(earlier, Replayed: true);
                }
                // The earlier attempt stored its selfie and claimed the key but did not finish: finish it now.
                certificationId = bound.CertificationId;
                blobName = bound.CertificationId;
            }
        }

        var record = new CertificationRecord
        {
            CertificationId = certificationId,
            PensionerId = pensionerId,
            Channel = channel,
            Status = CertificationStatus.Pending,
            SelfieBlobName = blobName,
            SubmittedAt = now,
        };
        // Indexed under the pensioner first, so erasure finds every certification that may exist.
        await pensioners.AddCertificationAsync(pensionerId, certificationId, cancellationToken);
        await queue.EnqueueAsync(new VerificationMessage(certificationId), cancellationToken);
        if (!await certifications.TryCreateAsync(record, cancellationToken))
            record = await certifications.GetAsync(certificationId, cancellationToken) ?? record;
        LogAccepted(logger, certificationId, pensionerId, channel.ToWireName());
        return new SubmissionResult(record, Replayed: false);
    }

    /// <summary>Reads a certification record.</summary>
    /// <exception cref="ProblemException">certification-not-found.</exception>
    public async Task<CertificationRecord> GetAsync(string certificationId, CancellationToken cancellationToken)
    {
        if (!Ids.IsCertificationId(certificationId)) throw new ProblemException(ProblemTypes.CertificationNotFound);
        return await certifications.GetAsync(certificationId, cancellationToken)
            ?? throw new ProblemException(ProblemTypes.CertificationNotFound);
    }

    /// <summary>
    /// The pensioner the submission is for. A pensioner marked deceased or transferred is refused (409
    /// pensioner-inactive): marking them stops everything, certification included.
    /// </summary>
    private async Task<string> ResolvePensionerAsync(SubmitCertificationCommand command, CancellationToken cancellationToken)
    {
        string? id;
        if (!string.IsNullOrWhiteSpace(command.PensionerId))
        {
            id = command.PensionerId.Trim();
            if (!Ids.IsPensionerId(id)) throw new ProblemException(ProblemTypes.PensionerNotFound);
        }
        else
        {
            var idNumber = RequestValidation.RequireIdNumber(command.IdNumber, ChinaTime.Today(timeProvider));
            id = await pensioners.FindIdAsync(hasher.Hash(idNumber), cancellationToken);
        }
        var profile = (id is null ? null : await pensioners.GetAsync(id, cancellationToken))
            ?? throw new ProblemException(ProblemTypes.PensionerNotFound);
        if (profile.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred)
            throw new ProblemException(ProblemTypes.PensionerInactive);
        return profile.PensionerId;
    }

    private static CertificationChannel ParseChannel(string? channel) =>
        CertificationChannels.TryParse(channel, out var parsed) ? parsed : throw new ProblemException(ProblemTypes.InvalidChannel);

    private static void ValidateIdempotencyKey(string? key)
    {
        if (key is null) return;
        if (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
            throw new ProblemException(ProblemTypes.InvalidIdempotencyKey);
    }


    private static string ScopeKey(string clientId, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientId + "\n" + key)));

    private static string RequestHash(string pensionerId, CertificationChannel channel, byte[] photoSha256) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{pensionerId}\n{channel.ToWireName()}\n{Convert.ToHexString(photoSha256)}")));

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Accepted certification {CertificationId} for pensioner {PensionerId} via {Channel}")]
    private static partial void LogAccepted(ILogger logger, string certificationId, string pensionerId, string channel);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Idempotent replay of certification {CertificationId}")]
    private static partial void LogReplayed(ILogger logger, string certificationId);
}
