using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PensionCert.Core.Certification;
using PensionCert.Core.Storage;

namespace PensionCert.Infrastructure;

/// <summary>
/// A certification's rows in its pensioner's partition that the worker writes in the cycle change's transaction
/// (<see cref="CertificationRows"/>): the decision (<see cref="CertificationIntent"/>) merged into the certification's
/// index row <c>certification-{id}</c>, and the failed-attempt row <c>failed-{yyyy-MM-dd}-{id}</c>.
/// </summary>
internal static class TableCertificationRows
{
    public const string CertificationRowPrefix = "certification-";
    public const string FailedAttemptRowPrefix = "failed-";

    /// <summary>The RowKey prefix of a China day's failed-attempt rows.</summary>
    public static string FailedAttemptPrefix(DateOnly day) => FailedAttemptRowPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "-";

    /// <summary>The transaction actions for <paramref name="rows"/> of <paramref name="pensionerId"/>.</summary>
    public static IEnumerable<TableTransactionAction> Actions(string pensionerId, CertificationRows rows)
    {
        if (rows.Intent is { } intent)
        {
            // Merged, so an index row keeps anything else it holds; written only with the profile (same transaction).
            yield return new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(pensionerId, CertificationRowPrefix + rows.CertificationId)
            {
                ["IntendedStatus"] = intent.Status.ToString(),
                ["Similarity"] = intent.Similarity,
                ["AcceptThreshold"] = intent.AcceptThreshold,
                ["ReviewThreshold"] = intent.ReviewThreshold,
                ["LivenessScore"] = intent.LivenessScore,
                ["ReasonCodes"] = string.Join(',', intent.ReasonCodes),
                ["ProcessingStartedAt"] = intent.ProcessingStartedAt,
                ["Attempts"] = intent.Attempts,
            });
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
