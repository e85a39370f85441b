using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Certification;
using PensionCert.Core.Sessions;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// Certification sessions: PartitionKey = session id (point reads), RowKey <c>session</c>. The purge lists expired rows
/// with a filter on <c>ExpiresAt</c> (a scan: sessions live minutes, so the table stays small).
/// </summary>
public sealed class TableCertificationSessionStore(StorageClients clients) : ICertificationSessionStore
{
    private const string RowKey = "session";

    /// <inheritdoc />
    public Task CreateAsync(CertificationSession session, CancellationToken cancellationToken) =>
        StorageErrors.Guard(() => clients.CertificationSessions.AddEntityAsync(ToEntity(session), cancellationToken));

    /// <inheritdoc />
    public Task<CertificationSession?> GetAsync(string sessionId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var response = await clients.CertificationSessions.GetEntityIfExistsAsync<TableEntity>(sessionId, RowKey, cancellationToken: cancellationToken);
            return response.HasValue ? ToSession(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<CertificationSession> UpdateAsync(CertificationSession session, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (session.ETag is null) throw new ArgumentException("Only a stored session can be updated.", nameof(session));
            try
            {
                var response = await clients.CertificationSessions.UpdateEntityAsync(ToEntity(session), new ETag(session.ETag), TableUpdateMode.Replace, cancellationToken);
                return session with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || ex.Status == 404)
            {
                throw new ConcurrencyConflictException("The certification session changed or was deleted meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<CertificationSession>> ListExpiredAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var found = new List<CertificationSession>();
            await foreach (var e in clients.CertificationSessions.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"ExpiresAt lt {before}"), cancellationToken: cancellationToken))
            {
                found.Add(ToSession(e));
                if (found.Count >= max) break;
            }
            return (IReadOnlyList<CertificationSession>)found;
        });

    /// <inheritdoc />
    public Task DeleteAsync(string sessionId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.CertificationSessions.DeleteEntityAsync(sessionId, RowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        });

    private static TableEntity ToEntity(CertificationSession s) => new(s.SessionId, RowKey)
    {
        ["SecretHash"] = s.SecretHash,
        ["PensionerId"] = s.PensionerId,
        ["Channel"] = s.Channel.ToWireName(),
        ["ClientId"] = s.ClientId,
        ["Actions"] = string.Join(',', s.Actions.Select(a => a.ToWireName())),
        ["Nonce"] = s.Nonce,
        ["CreatedAt"] = s.CreatedAt,
        ["ExpiresAt"] = s.ExpiresAt,
        ["ReturnUrl"] = s.ReturnUrl,
        ["State"] = s.State.ToString(),
        ["FrameCounts"] = string.Join(',', s.FrameCounts),
        ["CertificationId"] = s.CertificationId,
        ["SubmittedAt"] = s.SubmittedAt,
    };

    private static CertificationSession ToSession(TableEntity e) => new()
    {
        SessionId = e.PartitionKey,
        SecretHash = e.GetString("SecretHash"),
        PensionerId = e.GetString("PensionerId"),
        Channel = CertificationChannels.TryParse(e.GetString("Channel"), out var channel) ? channel : CertificationChannel.App,
        ClientId = e.GetString("ClientId") ?? "",
        Actions = (e.GetString("Actions") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => ChallengeActions.TryParse(a, out var action) ? action : throw new FormatException("Unknown challenge action in a stored session.")).ToArray(),
        Nonce = e.GetString("Nonce"),
        CreatedAt = e.GetDateTimeOffset("CreatedAt") ?? default,
        ExpiresAt = e.GetDateTimeOffset("ExpiresAt") ?? default,
        ReturnUrl = e.GetString("ReturnUrl"),
        State = Enum.TryParse<SessionState>(e.GetString("State"), out var state) ? state : SessionState.Open,
        FrameCounts = (e.GetString("FrameCounts") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray(),
        CertificationId = e.GetString("CertificationId"),
        SubmittedAt = e.GetDateTimeOffset("SubmittedAt"),
        ETag = e.ETag.ToString(),
    };
}
