using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// A certification's rows in its pensioner's partition that the worker writes in the cycle change's transaction
/// (<see cref="CertificationRows"/>): the decision (<see cref="CertificationIntent"/>) merged into the certification's
/// index row <c>certification-{id}</c> (for a certification id that names its pensioner that row is the record, and the
/// record with its final status is written instead, <see cref="CertificationRows.Decided"/>), and the failed-attempt row
/// <c>failed-{yyyy-MM-dd}-{id}</c>.
/// </summary>
internal static class TableCertificationRows
{
    public const string CertificationRowPrefix = "certification-";
    public const string FailedAttemptRowPrefix = "failed-";

    /// <summary>The RowKey prefix of a China day's failed-attempt rows.</summary>
    public static string FailedAttemptPrefix(DateOnly day) => FailedAttemptRowPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "-";

    /// <summary>The China date and certification of a failed-attempt RowKey, or null for another row.</summary>
    public static (DateOnly Day, string CertificationId)? ParseFailedAttempt(string rowKey)
    {
        // failed-yyyy-MM-dd-{certification id}
        const int DateLength = 10;
        if (!rowKey.StartsWith(FailedAttemptRowPrefix, StringComparison.Ordinal) || rowKey.Length < FailedAttemptRowPrefix.Length + DateLength + 2) return null;
        return DateOnly.TryParseExact(rowKey.AsSpan(FailedAttemptRowPrefix.Length, DateLength), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (day, rowKey[(FailedAttemptRowPrefix.Length + DateLength + 1)..])
            : null;
    }

    /// <summary>The transaction actions for <paramref name="rows"/> of <paramref name="pensionerId"/>.</summary>
    public static IEnumerable<TableTransactionAction> Actions(string pensionerId, CertificationRows rows)
    {
        if (rows.Decided is { } decided)
        {
            // The record in the pensioner's partition with its final status, if unchanged since the worker read it (a
            // record erased or changed meanwhile fails the whole transaction); the intent is in it.
            if (Ids.PensionerIdOf(decided.CertificationId) != pensionerId || decided.ETag is null)
                throw new ArgumentException("Only a stored record in this pensioner's partition can be decided with a cycle change.", nameof(rows));
            yield return new TableTransactionAction(TableTransactionActionType.UpdateReplace, TableCertificationRepository.ToEntity(decided), new ETag(decided.ETag));
        }
        else if (rows.Intent is { } intent)
        {
            // Merged, so an index row keeps anything else it holds; written only with the profile (same transaction). A
            // record in the pensioner's partition is only updated (never created again after an erasure deleted it).
            var entity = new TableEntity(pensionerId, CertificationRowPrefix + rows.CertificationId)
            {
                ["IntendedStatus"] = intent.Status.ToString(),
                ["Similarity"] = intent.Similarity,
                ["AcceptThreshold"] = intent.AcceptThreshold,
                ["ReviewThreshold"] = intent.ReviewThreshold,
                ["LivenessScore"] = intent.LivenessScore,
                ["ReasonCodes"] = string.Join(',', intent.ReasonCodes),
                ["ProcessingStartedAt"] = intent.ProcessingStartedAt,
                ["Attempts"] = intent.Attempts,
            };
            yield return Ids.PensionerIdOf(rows.CertificationId) is null
                ? new TableTransactionAction(TableTransactionActionType.UpsertMerge, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, ETag.All);
        }
        if (rows.FailedAttemptOn is { } day)
            yield return new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(pensionerId, FailedAttemptPrefix(day) + rows.CertificationId));
    }

    /// <summary>The decision in an index row, or null when the row holds none.</summary>
    public static CertificationIntent? IntentOf(TableEntity e) =>
        Enum.TryParse<CertificationStatus>(e.GetString("IntendedStatus"), out var status)
            ? new CertificationIntent(status, e.GetDouble("Similarity"), e.GetDouble("AcceptThreshold"), e.GetDouble("ReviewThreshold"), e.GetDouble("LivenessScore"),
                (e.GetString("ReasonCodes") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), e.GetDateTimeOffset("ProcessingStartedAt"), e.GetInt32("Attempts") ?? 0)
            : null;
}
