using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Review;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// ReviewCases table: PartitionKey = six-digit region code (a region's reviewers read their own partitions; a
/// province reads the range of its prefix), RowKey = case id (<c>{regionCode}-{suffix}</c>, deterministic per cause,
/// so opening a case twice is one case). Updates are ETag-conditional: of two reviewers claiming or deciding one
/// case at once, one write wins and the other gets a conflict.
/// </summary>
public sealed class TableReviewCaseStore(StorageClients clients) : IReviewCaseStore
{
    /// <inheritdoc />
    public Task<bool> OpenAsync(ReviewCase reviewCase, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                await clients.ReviewCases.AddEntityAsync(ToEntity(reviewCase), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        });

    /// <inheritdoc />
    public Task<ReviewCase?> GetAsync(string caseId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            if (!ReviewCase.IsWellFormedId(caseId)) return null;
            var response = await clients.ReviewCases.GetEntityIfExistsAsync<TableEntity>(caseId[..6], caseId, cancellationToken: cancellationToken);
            return response.HasValue ? ToCase(response.Value!) : null;
        });

    /// <inheritdoc />
    public Task<ReviewCase> UpdateAsync(ReviewCase reviewCase, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            try
            {
                var response = await clients.ReviewCases.UpdateEntityAsync(ToEntity(reviewCase), new ETag(reviewCase.ETag!), TableUpdateMode.Replace, cancellationToken);
                return reviewCase with { ETag = response.Headers.ETag?.ToString() };
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                throw new ConcurrencyConflictException("The review case changed meanwhile.", ex);
            }
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<ReviewCase>> ListAsync(IReadOnlyCollection<string> regionPrefixes, ReviewCaseState? state, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var cases = new List<ReviewCase>();
            foreach (var prefix in regionPrefixes.Distinct(StringComparer.Ordinal))
            {
                var filter = state is { } s
                    ? TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"} and State eq {s.ToString()}")
                    : TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
                await foreach (var e in clients.ReviewCases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                    cases.Add(ToCase(e));
            }
            return (IReadOnlyList<ReviewCase>)cases;
        });

    /// <inheritdoc />
    public Task<IReadOnlyList<ReviewCase>> ListOpenForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var cases = new List<ReviewCase>();
            await foreach (var e in clients.ReviewCases.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {regionCode} and PensionerId eq {pensionerId} and State eq {nameof(ReviewCaseState.Open)}"), cancellationToken: cancellationToken))
                cases.Add(ToCase(e));
            return (IReadOnlyList<ReviewCase>)cases;
        });

    /// <inheritdoc />
    public async IAsyncEnumerable<ReviewCase> ListUnfinishedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"State eq {nameof(ReviewCaseState.Open)} or EffectsApplied eq {false}");
        var pages = clients.ReviewCases.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await StorageErrors.Guard(() => pages.MoveNextAsync().AsTask()))
                foreach (var e in pages.Current.Values) yield return ToCase(e);
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteForPensionerAsync(string regionCode, string pensionerId, CancellationToken cancellationToken) =>
        StorageErrors.Guard(async () =>
        {
            var deleted = 0;
            await foreach (var e in clients.ReviewCases.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {regionCode} and PensionerId eq {pensionerId}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await clients.ReviewCases.DeleteEntityAsync(e.PartitionKey, e.RowKey, ETag.All, cancellationToken);
                deleted++;
            }
            return deleted;
        });

    private static TableEntity ToEntity(ReviewCase c) => new(c.RegionCode, c.CaseId)
    {
        ["PensionerId"] = c.PensionerId,
        ["Reason"] = c.Reason,
        ["Day"] = Date(c.Day),
        ["OpenedAt"] = c.OpenedAt,
        ["State"] = c.State.ToString(),
        ["CertificationId"] = c.CertificationId,
        ["SubmittedBy"] = c.SubmittedBy,
        ["EffectiveOn"] = c.EffectiveOn is { } on ? Date(on) : null,
        ["Subject"] = c.Subject,
        ["RequestNote"] = c.RequestNote,
        ["ReferenceSource"] = c.ReferenceSource,
        ["ClaimedBy"] = c.ClaimedBy,
        ["ClaimExpiresAt"] = c.ClaimExpiresAt,
        ["DecidedBy"] = c.DecidedBy,
        ["DecidedAt"] = c.DecidedAt,
        ["RejectionReason"] = c.RejectionReason,
        ["OfflineChannel"] = c.OfflineChannel,
        ["Note"] = c.Note,
        ["EffectsApplied"] = c.EffectsApplied,
        ["EscalatedAt"] = c.EscalatedAt,
        ["Escalations"] = c.Escalations,
    };

    private static ReviewCase ToCase(TableEntity e) => new()
    {
        CaseId = e.RowKey,
        RegionCode = e.PartitionKey,
        PensionerId = e.GetString("PensionerId"),
        Reason = e.GetString("Reason"),
        Day = ParseDate(e.GetString("Day")) ?? default,
        OpenedAt = e.GetDateTimeOffset("OpenedAt") ?? default,
        State = Enum.TryParse<ReviewCaseState>(e.GetString("State"), out var state) ? state : ReviewCaseState.Open,
        CertificationId = e.GetString("CertificationId"),
        SubmittedBy = e.GetString("SubmittedBy"),
        EffectiveOn = ParseDate(e.GetString("EffectiveOn")),
        Subject = e.GetString("Subject"),
        RequestNote = e.GetString("RequestNote"),
        ReferenceSource = e.GetString("ReferenceSource"),
        ClaimedBy = e.GetString("ClaimedBy"),
        ClaimExpiresAt = e.GetDateTimeOffset("ClaimExpiresAt"),
        DecidedBy = e.GetString("DecidedBy"),
        DecidedAt = e.GetDateTimeOffset("DecidedAt"),
        RejectionReason = e.GetString("RejectionReason"),
        OfflineChannel = e.GetString("OfflineChannel"),
        Note = e.GetString("Note"),
        EffectsApplied = e.GetBoolean("EffectsApplied") ?? true,
        EscalatedAt = e.GetDateTimeOffset("EscalatedAt"),
        // Rows escalated before the count was kept were reported once.
        Escalations = e.GetInt32("Escalations") ?? (e.GetDateTimeOffset("EscalatedAt") is null ? 0 : 1),
        ETag = e.ETag.ToString(),
    };

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
