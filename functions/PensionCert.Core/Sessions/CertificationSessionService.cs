using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Certification;
using PensionCert.Core.Cycle;
using PensionCert.Core.Errors;
using PensionCert.Core.Photos;
using PensionCert.Core.Storage;

namespace PensionCert.Core.Sessions;

/// <summary>A channel server's request for a session (unvalidated strings, as received).</summary>
public sealed record CreateSessionCommand(string? IdNumber, string? PensionerId, string? Channel, string? ReturnUrl, string ClientId,
    IReadOnlySet<CertificationChannel>? AllowedChannels = null);

/// <summary>A new session: the token goes to the page (in the URL fragment), never anywhere else.</summary>
public sealed record CreatedSession(CertificationSession Session, string Token, string PageUrl);

/// <summary>What the page and the channel may read about a session: no personal data.</summary>
public sealed record SessionView(CertificationSession Session, CertificationRecord? Certification, bool Expired);

/// <summary>
/// Certification sessions, as identity vendors run them (Tencent FaceID, Alibaba 实人认证, AWS Face Liveness): the channel's
/// server creates a short-lived, single-use session for one pensioner with its client key; the phone page, holding only
/// the session token, uploads a short burst of frames per challenge action and submits once; the submission becomes an
/// ordinary certification (same queue, limits, decision and events) whose worker verifies the actions
/// (<see cref="ActionLivenessVerifier"/>). An abandoned session expires and is purged with its frames.
/// </summary>
public sealed partial class CertificationSessionService(
    ICertificationSessionStore sessions,
    ISessionCountStore sessionCounts,
    IPhotoStore photos,
    CertificationService certification,
    ICertificationRepository certifications,
    IChallengeSource challenges,
    IOptions<SessionOptions> options,
    TimeProvider timeProvider,
    ILogger<CertificationSessionService> logger)
{
    private const int MaxReturnUrlLength = 2048;

    /// <summary>Most frames one upload may carry.</summary>
    public int MaxFramesPerAction => options.Value.MaxFramesPerAction;

    /// <summary>Largest frame accepted.</summary>
    public int MaxFrameBytes => options.Value.MaxFrameBytes;

    /// <summary>
    /// Creates a session for an active pensioner on an online channel the client key may use, within the pensioner's
    /// daily cap (<see cref="SessionOptions.MaxSessionsPerPensionerPerDay"/>). The session is counted before it is
    /// stored, so a crash in between costs one of the day's sessions, never lets one go uncounted. Two creations for one
    /// pensioner in the same instant may both pass the last free place (the count is read, not locked).
    /// </summary>
    /// <exception cref="ProblemException">Validation (400), channel-not-allowed (403), pensioner-not-found (404), pensioner-inactive (409), invalid-return-url (400), daily-sessions-exhausted (429).</exception>
    public async Task<CreatedSession> CreateAsync(CreateSessionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var submit = new SubmitCertificationCommand(command.IdNumber, command.PensionerId, command.Channel, null, command.ClientId, command.AllowedChannels);
        certification.ValidateFields(submit);
        CertificationChannels.TryParse(command.Channel, out var channel);
        // The page is for pensioners' own phones; operator-captured channels have their own path.
        if (!channel.IsOnline()) throw new ProblemException(ProblemTypes.ChannelNotAllowed);
        var returnUrl = ValidateReturnUrl(command.ReturnUrl);
        var pensioner = await certification.ResolveAsync(submit, cancellationToken);
        var today = ChinaTime.Today(timeProvider);
        await EnsureSessionAllowedAsync(pensioner.PensionerId, today, cancellationToken);

        var actions = challenges.Next();
        if (!ChallengeActions.IsValidChallenge(actions)) throw new InvalidOperationException("The challenge source returned an invalid challenge.");
        var now = timeProvider.GetUtcNow();
        var secret = RandomNumberGenerator.GetHexString(64, lowercase: true);
        var session = new CertificationSession
        {
            SessionId = NewSessionId(),
            SecretHash = Hash(secret),
            PensionerId = pensioner.PensionerId,
            Channel = channel,
            ClientId = command.ClientId,
            Actions = actions,
            Nonce = RandomNumberGenerator.GetHexString(32, lowercase: true),
            CreatedAt = now,
            ExpiresAt = now.AddMinutes(options.Value.LifetimeMinutes),
            ReturnUrl = returnUrl,
            State = SessionState.Open,
        };
        session = session with { FrameCounts = new int[session.Actions.Count] };
        if (!await sessionCounts.RecordAsync(pensioner.PensionerId, today, session.SessionId, cancellationToken))
            throw new ProblemException(ProblemTypes.PensionerNotFound); // erased meanwhile
        await sessions.CreateAsync(session, cancellationToken);
        var token = $"{session.SessionId}.{secret}";
        LogCreated(logger, session.SessionId, pensioner.PensionerId, channel.ToWireName(), session.Actions.Count);
        return new CreatedSession(session, token, $"{options.Value.PageUrl}#token={token}");
    }

    /// <summary>
    /// Refuses a further session when the pensioner was given <see cref="SessionOptions.MaxSessionsPerPensionerPerDay"/>
    /// today (China date): 429 with Retry-After until midnight China Standard Time, when the count starts again.
    /// </summary>
    /// <exception cref="ProblemException">daily-sessions-exhausted (429).</exception>
    private async Task EnsureSessionAllowedAsync(string pensionerId, DateOnly today, CancellationToken cancellationToken)
    {
        var created = await sessionCounts.CountAsync(pensionerId, today, cancellationToken);
        if (created < options.Value.MaxSessionsPerPensionerPerDay) return;
        LogSessionsExhausted(logger, pensionerId, created);
        var now = timeProvider.GetUtcNow();
        throw new ProblemException(ProblemTypes.DailySessionsExhausted) { RetryAfter = ChinaTime.StartOfDay(today.AddDays(1)) - now };
    }

    /// <summary>The session a token opens (state not checked: reading the result stays possible after use).</summary>
    /// <exception cref="ProblemException">session-token-invalid (401).</exception>
    public async Task<SessionView> ReadAsync(string? token, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(token, cancellationToken);
        return await ViewAsync(session, cancellationToken);
    }

    /// <summary>A session as the channel that created it sees it (by id, with its client key).</summary>
    /// <exception cref="ProblemException">session-not-found (404), also for another client's session.</exception>
    public async Task<SessionView> GetForClientAsync(string sessionId, string clientId, CancellationToken cancellationToken)
    {
        var session = IsSessionId(sessionId) ? await sessions.GetAsync(sessionId, cancellationToken) : null;
        if (session is null || !string.Equals(session.ClientId, clientId, StringComparison.Ordinal))
            throw new ProblemException(ProblemTypes.SessionNotFound);
        return await ViewAsync(session, cancellationToken);
    }

    /// <summary>
    /// Stores the frames of one action step (replacing an earlier upload of the same step, so a step can be retaken
    /// until the session is submitted). Frames are JPEGs within <see cref="SessionOptions.MaxFrameBytes"/>.
    /// </summary>
    /// <exception cref="ProblemException">session-token-invalid, session-expired, session-already-used, session-nonce-mismatch, session-step-invalid, session-frames-invalid.</exception>
    public async Task<CertificationSession> UploadFramesAsync(string? token, string? nonce, string? step, IReadOnlyList<byte[]> frames, CancellationToken cancellationToken)
    {
        var session = await OpenUsableAsync(token, nonce, cancellationToken);
        if (!int.TryParse(step, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) || index < 0 || index >= session.Actions.Count)
            throw new ProblemException(ProblemTypes.SessionStepInvalid);
        if (frames.Count == 0 || frames.Count > options.Value.MaxFramesPerAction
            || frames.Any(f => f.Length > options.Value.MaxFrameBytes || PhotoFormatSniffer.Sniff(f) != PhotoFormat.Jpeg))
            throw new ProblemException(ProblemTypes.SessionFramesInvalid);

        for (var i = 0; i < frames.Count; i++)
        {
            using var content = new MemoryStream(frames[i], writable: false);
            await photos.UploadAsync(PhotoContainer.SessionFrames, CertificationSession.FrameBlobName(session.SessionId, index, i), content, "image/jpeg", cancellationToken);
        }
        var counts = session.FrameCounts.ToArray();
        counts[index] = frames.Count;
        try
        {
            return await sessions.UpdateAsync(session with { FrameCounts = counts }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Submitted (or another upload) meanwhile: the caller sees the current state on retry.
            throw new ProblemException(ProblemTypes.SessionAlreadyUsed);
        }
    }

    /// <summary>
    /// Submits the session once: claims it (ETag), then submits an ordinary certification bound to it (same limits and
    /// queue as a selfie). A second submission, or one after expiry, is refused. If the certification itself is refused
    /// (daily limit, rate), the session is released so the page shows that problem, and stays usable until it expires.
    /// </summary>
    /// <exception cref="ProblemException">session-*, session-incomplete, and every problem of <see cref="CertificationService.SubmitAsync"/>.</exception>
    public async Task<CertificationRecord> SubmitAsync(string? token, string? nonce, CancellationToken cancellationToken)
    {
        var session = await OpenUsableAsync(token, nonce, cancellationToken);
        if (session.FrameCounts.Count != session.Actions.Count || session.FrameCounts.Any(c => c == 0))
            throw new ProblemException(ProblemTypes.SessionIncomplete);

        // The selfie slot of the certification holds a frame from the start (the worker replaces it with the best frontal
        // frame), so the record's invariants hold: its selfie exists before its message is sent.
        var first = await photos.DownloadAsync(PhotoContainer.SessionFrames, CertificationSession.FrameBlobName(session.SessionId, 0, 0), cancellationToken)
            ?? throw new ProblemException(ProblemTypes.SessionIncomplete);
        StagedPhoto staged;
        using (var content = new MemoryStream(first, writable: false))
            staged = await certification.StagePhotoAsync(content, session.PensionerId, cancellationToken);

        CertificationSession claimed;
        try
        {
            claimed = await sessions.UpdateAsync(session with
            {
                State = SessionState.Submitted,
                CertificationId = staged.CertificationId,
                SubmittedAt = timeProvider.GetUtcNow(),
            }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            await certification.DiscardAsync(staged, CancellationToken.None);
            throw new ProblemException(ProblemTypes.SessionAlreadyUsed);
        }

        try
        {
            var command = new SubmitCertificationCommand(null, session.PensionerId, session.Channel.ToWireName(), null, session.ClientId, null, session.SessionId);
            var result = await certification.SubmitAsync(command, staged, null, cancellationToken);
            LogSubmitted(logger, session.SessionId, result.Record.CertificationId);
            return result.Record;
        }
        catch (ProblemException)
        {
            await sessions.UpdateAsync(claimed with { State = SessionState.Open, CertificationId = null, SubmittedAt = null }, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The frames of a session, step by step (for the worker); a missing blob leaves its step shorter.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<byte[]>>> LoadFramesAsync(CertificationSession session, CancellationToken cancellationToken)
    {
        var steps = new List<IReadOnlyList<byte[]>>();
        for (var step = 0; step < session.Actions.Count; step++)
        {
            var count = step < session.FrameCounts.Count ? session.FrameCounts[step] : 0;
            var downloads = Enumerable.Range(0, count)
                .Select(i => photos.DownloadAsync(PhotoContainer.SessionFrames, CertificationSession.FrameBlobName(session.SessionId, step, i), cancellationToken));
            steps.Add((await Task.WhenAll(downloads)).OfType<byte[]>().ToArray());
        }
        return steps;
    }

    /// <summary>Reads a session by id (worker).</summary>
    public Task<CertificationSession?> GetAsync(string sessionId, CancellationToken cancellationToken) => sessions.GetAsync(sessionId, cancellationToken);

    /// <summary>Deletes a session's frames (after its decision; idempotent).</summary>
    public Task<int> DeleteFramesAsync(string sessionId, CancellationToken cancellationToken) =>
        photos.DeleteByPrefixAsync(PhotoContainer.SessionFrames, sessionId + "/", cancellationToken);

    /// <summary>
    /// Deletes sessions (and any frames left) that expired more than <see cref="SessionOptions.KeepAfterExpiryMinutes"/> ago,
    /// so an abandoned session leaves nothing behind. Returns how many were purged. Idempotent.
    /// </summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var before = timeProvider.GetUtcNow().AddMinutes(-options.Value.KeepAfterExpiryMinutes);
        var purged = 0;
        while (true)
        {
            var expired = await sessions.ListExpiredAsync(before, 100, cancellationToken);
            foreach (var session in expired)
            {
                await DeleteFramesAsync(session.SessionId, cancellationToken);
                await sessions.DeleteAsync(session.SessionId, cancellationToken);
                purged++;
            }
            if (expired.Count < 100) break;
        }
        if (purged > 0) LogPurged(logger, purged);
        return purged;
    }

    /// <summary>True when <paramref name="id"/> has the shape of a session id (<c>s</c> + 32 hex digits).</summary>
    public static bool IsSessionId(string? id) =>
        id is { Length: 33 } && id[0] == 's' && !id.AsSpan(1).ContainsAnyExcept("0123456789abcdef");

    private async Task<SessionView> ViewAsync(CertificationSession session, CancellationToken cancellationToken)
    {
        var record = session.CertificationId is { } id ? await certifications.GetAsync(id, cancellationToken) : null;
        return new SessionView(session, record, session.State == SessionState.Open && timeProvider.GetUtcNow() >= session.ExpiresAt);
    }

    private async Task<CertificationSession> OpenUsableAsync(string? token, string? nonce, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(token, cancellationToken);
        if (session.State != SessionState.Open) throw new ProblemException(ProblemTypes.SessionAlreadyUsed);
        if (timeProvider.GetUtcNow() >= session.ExpiresAt) throw new ProblemException(ProblemTypes.SessionExpired);
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(nonce), Encoding.ASCII.GetBytes(session.Nonce)))
            throw new ProblemException(ProblemTypes.SessionNonceMismatch);
        return session;
    }

    /// <summary>
    /// Refuses (401 <c>session-token-invalid</c>) a token that is missing or not shaped as one (<c>{sessionId}.{64 hex}</c>),
    /// without a storage call: the page routes check this before they read a request body.
    /// </summary>
    public static void RequireWellFormedToken(string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot != 33 || token.Length != 33 + 1 + 64 || !IsSessionId(token[..dot]))
            throw new ProblemException(ProblemTypes.SessionTokenInvalid);
    }

    private async Task<CertificationSession> OpenAsync(string? token, CancellationToken cancellationToken)
    {
        RequireWellFormedToken(token);
        var dot = token!.IndexOf('.', StringComparison.Ordinal);
        var sessionId = token[..dot];
        var session = await sessions.GetAsync(sessionId, cancellationToken);
        if (session is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token[(dot + 1)..])), Encoding.ASCII.GetBytes(session.SecretHash)))
            throw new ProblemException(ProblemTypes.SessionTokenInvalid);
        return session;
    }

    private static string? ValidateReturnUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        if (url.Length > MaxReturnUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
            throw new ProblemException(ProblemTypes.InvalidReturnUrl);
        return uri.AbsoluteUri;
    }

    private static string NewSessionId() => "s" + Guid.NewGuid().ToString("N");

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Certification session {SessionId} created for pensioner {PensionerId} via {Channel} ({Actions} actions)")]
    private static partial void LogCreated(ILogger logger, string sessionId, string pensionerId, string channel, int actions);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Certification session {SessionId} submitted as certification {CertificationId}")]
    private static partial void LogSubmitted(ILogger logger, string sessionId, string certificationId);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Certification session for pensioner {PensionerId} refused: {Created} sessions created today (daily cap)")]
    private static partial void LogSessionsExhausted(ILogger logger, string pensionerId, int created);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Purged {Count} expired certification sessions")]
    private static partial void LogPurged(ILogger logger, int count);
}
