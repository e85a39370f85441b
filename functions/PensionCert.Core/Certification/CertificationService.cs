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
/// <param name="SessionId">The certification session whose action frames this submission verifies (phone page); null for a selfie.</param>
public sealed record SubmitCertificationCommand(string? IdNumber, string? PensionerId, string? Channel, string? IdempotencyKey, string ClientId,
    IReadOnlySet<CertificationChannel>? AllowedChannels = null, string? SessionId = null)
{
    /// <summary>
    /// The operator's attestation, for the operator-captured channels (counter, community, home-visit). Those channels
    /// are accepted only with it (from the operator endpoint); client keys may never use them.
    /// </summary>
    public Offline.OfflineCapture? Capture { get; init; }

    /// <summary>Family-assisted certification (亲情认证): the helper id bound to the pensioner (online channels only).</summary>
    public string? HelperId { get; init; }
}

/// <summary>
/// A check a submission must pass once its pensioner is known, before anything is written (e.g. the operator serves
/// the pensioner's region, a home visit is scheduled, a family helper is approved). Registered in DI; each check
/// ignores submissions it is not about.
/// </summary>
public interface ISubmissionCheck
{
    /// <summary>Throws a <see cref="ProblemException"/> to refuse the submission.</summary>
    Task CheckAsync(SubmitCertificationCommand command, SubmissionPensioner pensioner, CancellationToken cancellationToken);
}

/// <summary>A selfie already streamed to Blob storage under a fresh certification id.</summary>
/// <param name="CertificationId">
/// The id the selfie was stored under: one that names its pensioner (<see cref="Ids.CertificationIdFor"/>; the record
/// goes into the pensioner's partition) when the pensioner was known before the upload, otherwise an id of the old
/// layout (<see cref="Ids.NewCertificationId"/>; record in the Certifications table).
/// </param>
/// <param name="BlobName">Blob name in the selfie container.</param>
/// <param name="Sha256">SHA-256 of the photo bytes.</param>
/// <param name="Length">Photo size in bytes.</param>
public sealed record StagedPhoto(string CertificationId, string BlobName, byte[] Sha256, long Length)
{
    /// <summary>
    /// The pensioner the selfie was stored for, when known before it was stored (the request's fields came first);
    /// null when it was not (the certification is then checked against whoever the fields name, and refused if unknown).
    /// </summary>
    public string? PensionerId { get; init; }
}

/// <summary>The pensioner a submission is for, read before anything is written.</summary>
/// <param name="PensionerId">The pensioner's id.</param>
/// <param name="FailedAttemptsToday">Rejected online certifications recorded for today's China date.</param>
/// <param name="RegionCode">The pensioner's six-digit region.</param>
public sealed record SubmissionPensioner(string PensionerId, int FailedAttemptsToday, string RegionCode = "");

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
    SubmissionRateLimiter submissionLimiter,
    IOptions<CertificationOptions> options,
    TimeProvider timeProvider,
    ILogger<CertificationService> logger,
    IEnumerable<ISubmissionCheck>? checks = null,
    PensionerIdCache? idCache = null)
{
    private readonly ISubmissionCheck[] _checks = checks?.ToArray() ?? [];

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
        ValidateCapture(command, channel);
        ValidateIdempotencyKey(command.IdempotencyKey);
        if (!string.IsNullOrWhiteSpace(command.PensionerId) && !string.IsNullOrWhiteSpace(command.IdNumber))
            throw new ProblemException(ProblemTypes.ConflictingIdentifiers);
        if (string.IsNullOrWhiteSpace(command.PensionerId))
        {
            if (string.IsNullOrWhiteSpace(command.IdNumber)) throw new ProblemException(ProblemTypes.MissingPensioner);
            RequestValidation.RequireIdNumber(command.IdNumber, ChinaTime.Today(timeProvider));
        }
    }

    /// <summary>
    /// Streams a selfie to Blob storage under a new certification id, checking format and size as it goes. With the id
    /// of the pensioner the request names (<see cref="FindPensionerIdAsync"/>), the id names the pensioner's partition,
    /// where the record is written with the pensioner's other rows; without one (null: not known before the photo) it is
    /// an id of the old layout.
    /// </summary>
    /// <exception cref="ProblemException">photo-missing, photo-unsupported-format, photo-heic-unsupported (415), photo-too-large (413).</exception>
    public async Task<StagedPhoto> StagePhotoAsync(Stream photo, string? pensionerId, CancellationToken cancellationToken)
    {
        var certificationId = Ids.IsPensionerId(pensionerId) ? Ids.CertificationIdFor(Ids.NewCertificationId(), pensionerId!) : Ids.NewCertificationId();
        // Named under the minute it is stored (SelfieNames): the stale sweep and the retention purge list by that name.
        var blobName = SelfieNames.For(timeProvider.GetUtcNow(), certificationId);
        await using var upload = await PhotoUploadStream.OpenAsync(photo, options.Value.MaxPhotoBytes, cancellationToken);
        try
        {
            await photos.UploadAsync(PhotoContainer.Selfies, blobName, upload, PhotoFormatSniffer.ContentType(upload.Format), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Refused, or storage failed (perhaps after the blob was written): nothing refers to the blob, so it goes.
            await DeleteQuietlyAsync(blobName);
            throw;
        }
        return new StagedPhoto(certificationId, blobName, upload.GetHashAndReset(), upload.BytesRead) { PensionerId = pensionerId };
    }

    private async Task DeleteQuietlyAsync(string blobName)
    {
        try
        {
            await photos.DeleteAsync(PhotoContainer.Selfies, blobName, CancellationToken.None);
        }
        catch (StorageUnavailableException)
        {
            // Storage is down: the caller reports the original failure.
        }
    }

    /// <summary>Deletes a staged selfie whose request was refused.</summary>
    public Task DiscardAsync(StagedPhoto photo, CancellationToken cancellationToken) =>
        photos.DeleteAsync(PhotoContainer.Selfies, photo.BlobName, cancellationToken);

    /// <summary>
    /// Accepts a submission whose selfie is staged. On any refusal the staged selfie is deleted.
    /// <paramref name="resolving"/> is the <see cref="ResolveAsync(SubmitCertificationCommand, string?, CancellationToken)"/> of the same command when the caller started it
    /// while the photo was uploading (one round trip less on the critical path); null resolves here.
    /// Order: pensioner → Idempotency-Key (a repeat of an accepted request is replayed before any limit applies) →
    /// daily rejection limit → per-pensioner submission rate → index row, queue message, Pending record.
    /// </summary>
    /// <exception cref="ProblemException">Validation (400), pensioner-not-found (404), pensioner-inactive (409),
    /// idempotency-key-reused (409), idempotent-request-in-progress (409, Retry-After 1 s), daily-attempts-exhausted (429,
    /// Retry-After until China midnight), pensioner-submissions-limited (429, Retry-After).</exception>
    public async Task<SubmissionResult> SubmitAsync(SubmitCertificationCommand command, StagedPhoto photo, Task<SubmissionPensioner>? resolving, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(photo);
        var channel = ChannelTag(command.Channel);
        using var activity = Telemetry.PensionCertTelemetry.ActivitySource.StartActivity(Definitions.TelemetryNames.Spans.Submit);
        activity?.SetTag(Definitions.TelemetryNames.SpanAttributes.CertificationId, photo.CertificationId);
        activity?.SetTag(Definitions.TelemetryNames.SpanAttributes.Channel, channel);
        var progress = new SubmissionProgress();
        try
        {
            var result = await SubmitStagedAsync(command, photo, resolving, progress, cancellationToken);
            Telemetry.PensionCertTelemetry.RecordSubmission(channel, result.Replayed ? SubmissionOutcomes.Replayed : SubmissionOutcomes.Accepted);
            return result;
        }
        catch (ProblemException ex)
        {
            RecordRefused(command.Channel, ex);
            activity?.SetTag(Definitions.TelemetryNames.Attributes.Outcome, ex.Problem.Code);
            await DiscardAsync(photo, CancellationToken.None);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Telemetry.PensionCertTelemetry.RecordSubmission(channel, SubmissionOutcomes.Error);
            Telemetry.PensionCertTelemetry.Fail(activity, ex);
            if (progress.Queued) throw;
            // Storage failed before the submission was queued or indexed: undo it (the key's binding to this selfie, if
            // the claim landed, and the selfie), so the retry starts afresh instead of leaving this selfie behind. If the
            // undo fails too, the binding stays and a retry with the key finishes the submission with this selfie.
            try
            {
                if (progress.ClaimedKey is { } key) await idempotency.ReleaseAsync(key, photo.CertificationId, CancellationToken.None);
                await photos.DeleteAsync(PhotoContainer.Selfies, photo.BlobName, CancellationToken.None);
            }
            catch (StorageUnavailableException)
            {
            }
            throw;
        }
    }

    /// <summary>
    /// Counts a submission refused with <paramref name="refusal"/> (<see cref="Definitions.TelemetryNames.Submissions"/>);
    /// the HTTP handlers call it for refusals before <see cref="SubmitAsync"/> (fields, photo), which counts the rest.
    /// </summary>
    public static void RecordRefused(string? channel, ProblemException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        Telemetry.PensionCertTelemetry.RecordSubmission(ChannelTag(channel), refusal.Problem.Code);
    }

    /// <summary>A channel as a metric attribute: its wire name, or <c>invalid</c> (client input never becomes an attribute).</summary>
    private static string ChannelTag(string? channel) => CertificationChannels.TryParse(channel, out var parsed) ? parsed.ToWireName() : "invalid";

    /// <summary>Submission outcomes other than a problem code.</summary>
    public static class SubmissionOutcomes
    {
        /// <summary>A new certification was queued.</summary>
        public const string Accepted = "accepted";
        /// <summary>An Idempotency-Key replay of an accepted one.</summary>
        public const string Replayed = "replayed";
        /// <summary>An unexpected failure (storage, a bug); the client sees 5xx.</summary>
        public const string Error = "error";
    }

    /// <summary>How far a submission got: once it is queued (index row, message), a retry finishes it.</summary>
    private sealed class SubmissionProgress
    {
        /// <summary>The scoped Idempotency-Key this submission tried to bind to its own selfie.</summary>
        public string? ClaimedKey { get; set; }

        public bool Queued { get; set; }
    }

    private async Task<SubmissionResult> SubmitStagedAsync(SubmitCertificationCommand command, StagedPhoto photo, Task<SubmissionPensioner>? resolving,
        SubmissionProgress progress, CancellationToken cancellationToken)
    {
        ValidateFields(command);
        var channel = ParseChannel(command.Channel);
        var pensioner = await (resolving ?? ResolveAsync(command, cancellationToken));
        // With the complete command (fields after the photo included), before anything is written.
        foreach (var check in _checks) await check.CheckAsync(command, pensioner, cancellationToken);
        var pensionerId = pensioner.PensionerId;
        var now = timeProvider.GetUtcNow();

        // An id that names a pensioner names this one. It names another only when a cached pensioner id turned out stale
        // (the ID number was erased and enrolled again under a new id) while the photo uploaded: the entry is gone now,
        // so a retry succeeds.
        if (Ids.PensionerIdOf(photo.CertificationId) is { } stagedFor && stagedFor != pensionerId)
            throw new ProblemException(ProblemTypes.StorageUnavailable) { RetryAfter = TimeSpan.FromSeconds(1) };
        var certificationId = photo.CertificationId;
        var blobName = photo.BlobName;
        string? boundKey = null;
        if (!string.IsNullOrEmpty(command.IdempotencyKey))
        {
            var scopedKey = ScopeKey(command.ClientId, command.IdempotencyKey);
            var requestHash = RequestHash(pensionerId, channel, photo.Sha256, command);
            progress.ClaimedKey = scopedKey;
            var candidate = new IdempotencyEntry(certificationId, requestHash, now) { SelfieBlobName = blobName };
            var expiredBefore = now - CertificationOptions.IdempotencyKeyLifetime;
            var bound = await idempotency.ClaimAsync(scopedKey, candidate, expiredBefore, cancellationToken);
            if (bound.CertificationId != certificationId)
            {
                // Refusals below delete this request's staged selfie (SubmitAsync discards it on a problem).
                if (!string.Equals(bound.RequestHash, requestHash, StringComparison.Ordinal))
                    throw new ProblemException(ProblemTypes.IdempotencyKeyReused);
                var earlier = await certifications.GetAsync(bound.CertificationId, cancellationToken);
                if (earlier is not null)
                {
                    await DiscardAsync(photo, cancellationToken);
                    LogReplayed(logger, earlier.CertificationId);
                    return new SubmissionResult(earlier, Replayed: true);
                }
                // The first request is still between its claim and its record (IETF httpapi idempotency-key draft §2.6: 409).
                if (now - bound.CreatedAt < CertificationOptions.IdempotentRequestInProgressFor)
                    throw new ProblemException(ProblemTypes.IdempotentRequestInProgress) { RetryAfter = TimeSpan.FromSeconds(1) };
                var adopted = bound.SelfieBlobName ?? bound.CertificationId;
                if (await photos.ExistsAsync(PhotoContainer.Selfies, adopted, cancellationToken))
                {
                    // The earlier attempt stored its selfie and claimed the key but did not finish: finish it now.
                    await DiscardAsync(photo, cancellationToken);
                    certificationId = bound.CertificationId;
                    blobName = adopted;
                }
                else
                {
                    // Its selfie is gone (the stale sweep deletes a selfie with no record once StaleAfter has passed): this
                    // request starts afresh with its own photo, the key bound to it instead.
                    await idempotency.ReleaseAsync(scopedKey, bound.CertificationId, cancellationToken);
                    bound = await idempotency.ClaimAsync(scopedKey, candidate, expiredBefore, cancellationToken);
                    if (bound.CertificationId != certificationId)
                        throw new ProblemException(ProblemTypes.IdempotentRequestInProgress) { RetryAfter = TimeSpan.FromSeconds(1) };
                }
            }
            boundKey = scopedKey;
        }

        try
        {
            attemptLimiter.EnsureAllowed(pensionerId, channel, pensioner.FailedAttemptsToday);
            submissionLimiter.EnsureAllowed(pensionerId);
        }
        catch (ProblemException) when (boundKey is not null)
        {
            // Refused: the key must not stay bound to a certification that will never exist, or a retry tomorrow would
            // "finish" it past the limit. A selfie adopted from an abandoned attempt goes too.
            await idempotency.ReleaseAsync(boundKey, certificationId, CancellationToken.None);
            if (certificationId != photo.CertificationId)
                await photos.DeleteAsync(PhotoContainer.Selfies, blobName, CancellationToken.None);
            throw;
        }

        // The stale sweep and the retention purge find a certification's record from its selfie's name alone.
        if (SelfieNames.IsDated(blobName) && SelfieNames.CertificationIdOf(blobName) != certificationId)
            throw new InvalidOperationException("A selfie's dated name must end in the certification id it is issued under.");
        var record = new CertificationRecord
        {
            CertificationId = certificationId,
            PensionerId = pensionerId,
            Channel = channel,
            Status = CertificationStatus.Pending,
            SelfieBlobName = blobName,
            SubmittedAt = now,
            SessionId = command.SessionId,
            // The capturing operator submitted it: a review of this certification is never theirs to decide (four-eyes).
            SubmittedBy = command.Capture?.Operator.Subject,
            CapturedBy = command.Capture?.Operator.Subject,
            ServicePoint = command.Capture?.ServicePoint,
            IdDocumentChecked = command.Capture?.IdDocumentChecked,
            HomeVisitId = command.Capture?.HomeVisitId,
            AssistedBy = command.HelperId?.Trim(),
        };
        progress.Queued = true;
        // Queued before the record exists, so no Pending record is ever left without a message; should its verification
        // work be lost, the stale sweep finds it by its selfie's dated name (SelfieNames). The record is the
        // certification's row in the pensioner's partition, so erasure finds it with the pensioner's other rows; a record
        // written after an erasure read the partition is removed by the worker, which finds no profile. A certification
        // of the old layout (33-character id: staged before its pensioner was known, or adopted from an earlier attempt;
        // record in the Certifications table) is indexed under the pensioner first, as before.
        await Task.WhenAll(
            Ids.PensionerIdOf(certificationId) is null ? pensioners.AddCertificationAsync(pensionerId, certificationId, cancellationToken) : Task.CompletedTask,
            queue.EnqueueAsync(new VerificationMessage(certificationId, SelfieBlobName: blobName), cancellationToken));
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
    /// The id of the pensioner <paramref name="command"/> names, before the photo is stored, so the certification id can
    /// name the pensioner's partition: the <c>pensionerId</c> field as given, or the ID number's from the in-memory
    /// cache (<see cref="PensionerIdCache"/>) or the hash index (one read). Whether the pensioner exists and may submit
    /// is checked by <see cref="ResolveAsync(SubmitCertificationCommand, string?, CancellationToken)"/>; null when the
    /// field is malformed or the ID number is not enrolled.
    /// </summary>
    /// <exception cref="ProblemException">Validation (400).</exception>
    public async Task<string?> FindPensionerIdAsync(SubmitCertificationCommand command, CancellationToken cancellationToken)
    {
        ValidateFields(command);
        if (!string.IsNullOrWhiteSpace(command.PensionerId))
        {
            var id = command.PensionerId.Trim();
            return Ids.IsPensionerId(id) ? id : null;
        }
        var hash = hasher.Hash(RequestValidation.RequireIdNumber(command.IdNumber, ChinaTime.Today(timeProvider)));
        return idCache?.Find(hash) ?? await pensioners.FindIdAsync(hash, cancellationToken);
    }

    /// <summary>
    /// Validates the fields and reads the pensioner the submission is for, with today's rejection count, in one storage
    /// read (two when identified by ID number and its pensioner id is not cached: the hash index first). Writes nothing,
    /// so a caller may start it while the photo uploads and pass the task to <see cref="SubmitAsync"/>. A pensioner
    /// marked deceased or transferred is refused: marking them stops everything, certification included.
    /// </summary>
    /// <exception cref="ProblemException">Validation (400), pensioner-not-found (404), pensioner-inactive (409).</exception>
    public async Task<SubmissionPensioner> ResolveAsync(SubmitCertificationCommand command, CancellationToken cancellationToken) =>
        await ResolveAsync(command, await FindPensionerIdAsync(command, cancellationToken), cancellationToken);

    /// <summary>
    /// <see cref="ResolveAsync(SubmitCertificationCommand, CancellationToken)"/> with the pensioner id already found by
    /// <see cref="FindPensionerIdAsync"/> (null: not found). An ID number's cached id whose profile is gone or belongs to
    /// another ID number is stale (the pensioner was erased, the ID number perhaps enrolled again): it is forgotten and
    /// the hash index read again, so a stale entry never answers anything the index would not.
    /// </summary>
    /// <exception cref="ProblemException">Validation (400), pensioner-not-found (404), pensioner-inactive (409).</exception>
    public async Task<SubmissionPensioner> ResolveAsync(SubmitCertificationCommand command, string? pensionerId, CancellationToken cancellationToken)
    {
        ValidateFields(command);
        if (pensionerId is not { } id) throw new ProblemException(ProblemTypes.PensionerNotFound);
        var today = ChinaTime.Today(timeProvider);
        var (profile, failedToday) = await pensioners.GetWithFailedAttemptsAsync(id, today, cancellationToken);
        if (string.IsNullOrWhiteSpace(command.PensionerId))
        {
            var hash = hasher.Hash(RequestValidation.RequireIdNumber(command.IdNumber, today));
            if (profile is null || (profile.IdNumberHash is not null && profile.IdNumberHash != hash))
            {
                profile = null;
                if (idCache?.Find(hash) == id)
                {
                    idCache.Forget(hash);
                    if (await pensioners.FindIdAsync(hash, cancellationToken) is { } current && current != id)
                        (profile, failedToday) = await pensioners.GetWithFailedAttemptsAsync(current, today, cancellationToken);
                }
            }
            if (profile is not null) idCache?.Remember(hash, profile.PensionerId);
        }
        if (profile is null) throw new ProblemException(ProblemTypes.PensionerNotFound);
        if (profile.Standing is PensionerStanding.Deceased or PensionerStanding.Transferred)
            throw new ProblemException(ProblemTypes.PensionerInactive);
        return new SubmissionPensioner(profile.PensionerId, failedToday, profile.RegionCode);
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

    private static string RequestHash(string pensionerId, CertificationChannel channel, byte[] photoSha256, SubmitCertificationCommand command)
    {
        var text = $"{pensionerId}\n{channel.ToWireName()}\n{Convert.ToHexString(photoSha256)}";
        if (command.Capture is { } c) text += $"\ncapture\n{c.Operator.Subject}\n{c.ServicePoint}\n{c.HomeVisitId}";
        if (!string.IsNullOrWhiteSpace(command.HelperId)) text += "\nhelper\n" + command.HelperId.Trim();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// Operator-captured channels only with an operator's attestation (and the attestation only with them); a family
    /// helper only on the online channels.
    /// </summary>
    private static void ValidateCapture(SubmitCertificationCommand command, CertificationChannel channel)
    {
        if (command.Capture is { } capture)
        {
            if (channel.IsOnline()) throw new ProblemException(ProblemTypes.InvalidOfflineChannel);
            Offline.OperatorCapturedChannels.RequireServicePoint(capture.ServicePoint);
            if (!capture.IdDocumentChecked) throw new ProblemException(ProblemTypes.IdDocumentNotChecked);
            if ((channel == CertificationChannel.HomeVisit) != (capture.HomeVisitId is not null))
                throw new ProblemException(ProblemTypes.HomeVisitIdRequired);
        }
        else if (!channel.IsOnline())
        {
            // counter, community and home-visit are captured by an operator: never through a client key.
            throw new ProblemException(ProblemTypes.ChannelNotAllowed);
        }
        if (!string.IsNullOrWhiteSpace(command.HelperId))
        {
            if (!channel.IsOnline()) throw new ProblemException(ProblemTypes.HelperNotForOfflineChannel);
            if (!FamilyHelpers.FamilyHelperIds.IsWellFormed(command.HelperId.Trim())) throw new ProblemException(ProblemTypes.FamilyHelperNotFound);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Accepted certification {CertificationId} for pensioner {PensionerId} via {Channel}")]
    private static partial void LogAccepted(ILogger logger, string certificationId, string pensionerId, string channel);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Idempotent replay of certification {CertificationId}")]
    private static partial void LogReplayed(ILogger logger, string certificationId);
}
