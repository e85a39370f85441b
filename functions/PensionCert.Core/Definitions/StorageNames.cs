namespace PensionCert.Core.Definitions;

/// <summary>Blob container and table names, defined once. Containers are private (no anonymous access).</summary>
public static class StorageNames
{
    /// <summary>Blob container of enrolled reference photos: <c>{pensionerId}/{referenceVersion}</c>.</summary>
    public const string ReferencePhotosContainer = "reference-photos";

    /// <summary>
    /// Blob container of submitted probe images (selfies): <c>{yyyy}/{MM}/{dd}/{HHmm}/{certificationId}</c> in China time
    /// (<see cref="Storage.SelfieNames"/>); <c>{certificationId}</c> for selfies stored before that layout.
    /// </summary>
    public const string SelfiesContainer = "selfies";

    /// <summary>Table of pensioner profiles and reference history, partitioned by pensioner id.</summary>
    public const string PensionersTable = "Pensioners";

    /// <summary>Table mapping the keyed hash of an ID number to a pensioner id.</summary>
    public const string PensionerIdentitiesTable = "PensionerIdentities";

    /// <summary>Table of certification records, partitioned by certification id.</summary>
    public const string CertificationsTable = "Certifications";

    /// <summary>Table of idempotency keys for certification submissions.</summary>
    public const string IdempotencyTable = "IdempotencyKeys";

    /// <summary>
    /// Append-only table of operator actions: PartitionKey = pensioner id (or <c>day-yyyyMMdd</c> for actions on no
    /// pensioner), RowKey = UTC time + random suffix. Holds no ID number, name or photo.
    /// </summary>
    public const string OperatorAuditTable = "OperatorAudit";

    /// <summary>Decided selfies by deletion date: PartitionKey = China date <c>yyyy-MM-dd</c>, RowKey = certification id.</summary>
    public const string SelfieRetentionTable = "SelfieRetention";

    /// <summary>Review cases: PartitionKey = region code, RowKey = <c>{yyyy-MM-dd}-{pensionerId}-{reason}</c>.</summary>
    public const string ReviewCasesTable = "ReviewCases";

    /// <summary>Due-date index: PartitionKey = China date yyyyMMdd, RowKey = pensioner id; plus the scan watermark row.</summary>
    public const string CycleDueIndexTable = "CycleDueIndex";

    /// <summary>Pointers to pending outbox rows: PartitionKey = <c>pending-{0..7}</c>, RowKey = event id.</summary>
    public const string OutboxIndexTable = "OutboxIndex";

    /// <summary>Operator read model: PartitionKey = region code, RowKey = pensioner id, with the state after the last event.</summary>
    public const string RegionPensionersTable = "RegionPensioners";

    /// <summary>Payroll read model: PartitionKey = <c>{regionCode}-{yyyyMM}</c>, RowKey = <c>{pensionerId}-{eventId}</c>.</summary>
    public const string PaymentChangesTable = "PaymentChanges";

    /// <summary>Blob container of action-challenge frames: <c>{sessionId}/{step}/{index}</c>; deleted after the decision or by the session purge.</summary>
    public const string SessionFramesContainer = "session-frames";

    /// <summary>Certification sessions of the phone page: PartitionKey = session id, RowKey <c>session</c>.</summary>
    public const string CertificationSessionsTable = "CertificationSessions";

    /// <summary>
    /// The stale sweep's watch list: PartitionKey = UTC hour <c>yyyyMMddHH</c>, RowKey = certification id (certifications
    /// it re-queued or found behind a backlog, and those submitted before selfies were named by date), plus its watermark
    /// row (<c>sweep</c> / <c>dated-selfies</c>). Submissions no longer write it.
    /// </summary>
    public const string InFlightCertificationsTable = "InFlightCertifications";

    /// <summary>Pensioners the cycle scan failed on: PartitionKey = region code (or <c>unknown</c>), RowKey = pensioner id.</summary>
    public const string CycleExceptionsTable = "CycleExceptions";

    /// <summary>
    /// The daily scan's work-item ledger: PartitionKey = China date <c>yyyyMMdd</c>; RowKey <c>plan</c> (the date's plan:
    /// state, item count) and <c>item-{nnnnn}</c> (one slice of the due index: key range, state, counts).
    /// </summary>
    public const string CycleScanItemsTable = "CycleScanItems";

    /// <summary>Event ids the local event sink accepted (its duplicate detection): PartitionKey = first two hex digits, RowKey = event id.</summary>
    public const string EventSinkIdsTable = "EventSinkIds";
    /// <summary>Home visits: PartitionKey = the pensioner's region code, RowKey = visit id; phone and address encrypted.</summary>
    public const string HomeVisitsTable = "HomeVisits";

    /// <summary>Family helper bindings: PartitionKey = pensioner id, RowKey = helper id; name and phone encrypted.</summary>
    public const string FamilyHelpersTable = "FamilyHelpers";

    /// <summary>Approved family-assisted certifications: PartitionKey = <c>{yyyyMM}-{regionCode}</c>, RowKey = certification id.</summary>
    public const string AssistedApprovalsTable = "AssistedApprovals";

    /// <summary>
    /// Pending reference photos being stored (ID-photo enrolments, reference changes): PartitionKey = UTC hour of the
    /// upload <c>yyyyMMddHH</c>, RowKey = the blob name with <c>/</c> as <c>_</c>. Written before the upload; the daily
    /// retention run deletes a photo no pending enrolment, case or profile names (a crash after the upload), then the row.
    /// </summary>
    public const string PendingPhotoUploadsTable = "PendingPhotoUploads";

    /// <summary>
    /// Blob container of the nightly table export, in the audit archive account (not the data account):
    /// <c>{yyyy-MM-dd}/{table}/{n}.jsonl</c> and <c>{yyyy-MM-dd}/manifest.json</c>, written last.
    /// </summary>
    public const string TableExportsContainer = "table-exports";
}
