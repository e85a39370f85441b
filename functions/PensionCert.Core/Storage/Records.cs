using PensionCert.Core.Certification;
using PensionCert.Core.Faces;

namespace PensionCert.Core.Storage;

/// <summary>
/// A pensioner's profile with the current reference embedding. The keyed hash of the ID number is the lookup key;
/// the ID number itself (<see cref="IdNumber"/>) and <see cref="Name"/> are clear only in memory: the repository
/// stores them AES-GCM encrypted (<see cref="Protection.IPersonalDataProtector"/>), never in clear.
/// </summary>
public sealed record PensionerProfile
{
    public required string PensionerId { get; init; }
    /// <summary>HMAC-SHA256 of the normalised ID number, hex (see <see cref="Identity.IIdNumberHasher"/>).</summary>
    public required string IdNumberHash { get; init; }
    /// <summary>e.g. <c>110101********123X</c>.</summary>
    public required string MaskedIdNumber { get; init; }
    /// <summary>Name as on the ID card (personal data: encrypted at rest).</summary>
    public required string Name { get; init; }
    /// <summary>The normalised 18-character ID number (personal data: encrypted at rest); null for profiles stored before it was kept.</summary>
    public string? IdNumber { get; init; }
    /// <summary>6-digit administrative region code (GB/T 2260).</summary>
    public required string RegionCode { get; init; }
    /// <summary>1 for the first enrollment, incremented at each re-enrollment.</summary>
    public required int ReferenceVersion { get; init; }
    /// <summary>Blob name in the reference photo container.</summary>
    public required string ReferenceBlobName { get; init; }
    /// <summary>Template of the enrolled reference photo (biometric personal data: encrypted at rest).</summary>
    public required FaceEmbedding ReferenceEmbedding { get; init; }
    /// <summary>
    /// Pixel fingerprint of the enrolled reference photo's aligned face (<see cref="FaceFingerprint"/>: biometric personal
    /// data, encrypted at rest like the template), for the replay check's near-duplicate comparison. Null for references
    /// enrolled before fingerprints were kept: the worker computes it from the stored reference photo at the pensioner's
    /// next verification and stores it (<see cref="Certification.ReferenceFingerprints"/>).
    /// </summary>
    public FaceFingerprint? ReferenceFingerprint { get; init; }
    /// <summary>
    /// Templates of approved live selfies kept as further references (references that age with the pensioner), oldest
    /// first, at most <see cref="VerificationOptions.MaxLiveReferences"/>; encrypted at rest, erased with the profile,
    /// cleared by a new enrollment. See <see cref="Certification.LiveReferenceKeeper"/>.
    /// </summary>
    public IReadOnlyList<LiveReference> LiveReferences { get; init; } = [];
    /// <summary>Every reference a probe is compared with: the enrolled photo's template, then the live ones.</summary>
    public IReadOnlyList<FaceEmbedding> References => [ReferenceEmbedding, .. LiveReferences.Select(r => r.Embedding)];
    /// <summary>The fingerprints known of <see cref="References"/> (the enrolled photo's, then the live ones'); references without one are left out.</summary>
    public IReadOnlyList<FaceFingerprint> Fingerprints =>
        [.. new[] { ReferenceFingerprint }.Concat(LiveReferences.Select(r => r.Fingerprint)).OfType<FaceFingerprint>()];
    public required DateTimeOffset EnrolledAt { get; init; }
    public DateTimeOffset? LastCertifiedAt { get; init; }
    /// <summary>
    /// Last day (China Standard Time) the current certification is valid; for a pensioner never certified, the first
    /// due date (<see cref="Cycle.CycleCalendar.ValidUntil"/> from the enrollment date).
    /// </summary>
    public DateOnly? ValidUntil { get; init; }
    /// <summary>Recorded standing (Active unless an investigation, suspension, death or transfer is recorded).</summary>
    public Cycle.PensionerStanding Standing { get; init; }
    /// <summary>True when payment is suspended (<see cref="Standing"/> is Suspended).</summary>
    public bool Suspended => Standing == Cycle.PensionerStanding.Suspended;
    /// <summary>Birth month 1-12 (from the ID number at enrollment), for birthday-month windows; null when unknown.</summary>
    public int? BirthMonth { get; init; }
    /// <summary>Wire name of the channel of the last certification (e.g. <c>wechat</c>, <c>data-comparison</c>), used as the preferred notice channel.</summary>
    public string? PreferredChannel { get; init; }
    /// <summary>China date the open investigation was opened.</summary>
    public DateOnly? InvestigationOpenedOn { get; init; }
    /// <summary>China date payment was suspended (while suspended).</summary>
    public DateOnly? SuspendedOn { get; init; }
    /// <summary>China date of death or of transfer, once recorded.</summary>
    public DateOnly? EndedOn { get; init; }
    /// <summary>Open holds that forbid suspension, e.g. <c>home-visit</c> or <c>review:{certificationId}</c>.</summary>
    public IReadOnlyList<string> OpenHolds { get; init; } = [];
    /// <summary>
    /// The open death-report review case that holds this pensioner's payment (event payment.held), or null. Set when
    /// an operator's death report opens its case, cleared when the case is decided or lapses (payment.released with
    /// back-pay, or payment.stopped when the death is confirmed). One at a time: a further report returns this case.
    /// </summary>
    public string? DeathReportCaseId { get; init; }
    /// <summary>China date the payment hold of <see cref="DeathReportCaseId"/> began.</summary>
    public DateOnly? PaymentHeldOn { get; init; }
    /// <summary>How many death-report cases were ever opened for this pensioner (numbers the next case's id, so a retried report is one case).</summary>
    public int DeathReports { get; init; }
    /// <summary>When the pensioner was first enrolled (kept across re-enrollments); null for profiles stored before it was kept (then <see cref="EnrolledAt"/> of the oldest reference is the best known).</summary>
    public DateTimeOffset? FirstEnrolledAt { get; init; }
    /// <summary>
    /// Operators (token subjects) who uploaded or approved any of the pensioner's reference photos: none of them may
    /// decide a review case of this pensioner (four-eyes). Opaque staff ids, never personal data of the pensioner.
    /// </summary>
    public IReadOnlyList<string> ReferenceChangedBy { get; init; } = [];
    /// <summary>
    /// SHA-256 identifying the enrollment request that stored the current reference (region, name, photo bytes), so a
    /// retried enrollment is recognised and changes nothing. Null for profiles stored before it was kept.
    /// </summary>
    public string? EnrollmentRequestHash { get; init; }
    /// <summary>
    /// When a re-enrollment last replaced the reference without a second operator; at most one such replacement per
    /// <c>PensionCert:ReferenceChange:AutomaticChangePeriodDays</c> (null: never).
    /// </summary>
    public DateTimeOffset? LastAutomaticReferenceChangeAt { get; init; }
    /// <summary>
    /// Where the current reference photo came from (<see cref="Enrollment.ReferenceSources"/>): <c>live-capture</c> or
    /// <c>id-photo</c> (a scanned ID or archive photo enrolled by two operators); null for profiles stored before it
    /// was kept (live captures).
    /// </summary>
    public string? ReferenceSource { get; init; }
    /// <summary>Opaque concurrency token from storage; null for a profile not yet stored.</summary>
    public string? ETag { get; init; }
}

/// <summary>The template of an approved live selfie kept as a further reference.</summary>
/// <param name="CertificationId">The automatically approved certification it came from.</param>
/// <param name="AddedAt">When it was added (UTC).</param>
/// <param name="Embedding">The selfie's template.</param>
/// <param name="Fingerprint">The selfie's pixel fingerprint (<see cref="FaceFingerprint"/>), for the replay check; null for live references kept before fingerprints were.</param>
public sealed record LiveReference(string CertificationId, DateTimeOffset AddedAt, FaceEmbedding Embedding, FaceFingerprint? Fingerprint = null);

/// <summary>A superseded reference photo, kept when a pensioner is enrolled again.</summary>
/// <param name="ReferenceVersion">The superseded version.</param>
/// <param name="ReferenceBlobName">Its photo in the reference container.</param>
/// <param name="EnrolledAt">When it became the reference.</param>
/// <param name="ReplacedAt">When it was replaced.</param>
/// <param name="Embedding">
/// The superseded reference's template (biometric personal data: encrypted at rest like the current one), so an
/// automatic replacement can be checked against every earlier reference; null for entries stored before templates
/// were kept (then no automatic replacement is possible: <see cref="Enrollment.ReferenceChangeService"/>).
/// </param>
/// <param name="ReferenceSource">Where the superseded photo came from (<see cref="PensionerProfile.ReferenceSource"/>); null when not recorded.</param>
public sealed record ReferenceHistoryEntry(int ReferenceVersion, string ReferenceBlobName, DateTimeOffset EnrolledAt, DateTimeOffset ReplacedAt, FaceEmbedding? Embedding = null, string? ReferenceSource = null);

/// <summary>
/// What stays of an erased pensioner, keyed by the ID number's keyed hash (no other personal data): when, by whom (an
/// opaque staff id), the standing at erasure (Deceased or Transferred), and a pending re-enrolment request a second
/// admin must confirm. It stops a re-enrolment from reviving the dead or putting another face on the ID number.
/// </summary>
/// <param name="IdNumberHash">HMAC-SHA256 of the ID number (the key).</param>
/// <param name="ErasedAt">When the pensioner was erased.</param>
/// <param name="Standing">The standing at erasure.</param>
/// <param name="ErasedBy">The admin who erased (token subject).</param>
/// <param name="ReEnrollmentRequestedBy">The operator who asked to re-enrol this ID number, if any.</param>
/// <param name="ReEnrollmentRequestHash">Identifies that request (region, name, photo bytes; see the enrolment's request hash).</param>
public sealed record ErasedIdentity(string IdNumberHash, DateTimeOffset ErasedAt, Cycle.PensionerStanding Standing, string ErasedBy,
    string? ReEnrollmentRequestedBy = null, string? ReEnrollmentRequestHash = null)
{
    public string? ETag { get; init; }
}

/// <summary>One certification attempt and its decision.</summary>
public sealed record CertificationRecord
{
    public required string CertificationId { get; init; }
    public required string PensionerId { get; init; }
    public required CertificationChannel Channel { get; init; }
    public required CertificationStatus Status { get; init; }
    /// <summary>Blob name in the selfie container.</summary>
    public required string SelfieBlobName { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? ProcessingStartedAt { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    /// <summary>Cosine similarity to the reference, -1..1.</summary>
    public double? Similarity { get; init; }
    public double? AcceptThreshold { get; init; }
    public double? ReviewThreshold { get; init; }
    /// <summary>Live probability 0..1.</summary>
    public double? LivenessScore { get; init; }
    public IReadOnlyList<string> ReasonCodes { get; init; } = [];
    /// <summary>Processing attempts so far (queue dequeue count of the last attempt).</summary>
    public int Attempts { get; init; }
    /// <summary>China date the selfie is due for deletion (set with the decision; see <see cref="ISelfieRetentionIndex"/>).</summary>
    public DateOnly? SelfieDeleteOn { get; init; }
    /// <summary>When the retention timer deleted the selfie.</summary>
    public DateTimeOffset? SelfieDeletedAt { get; init; }
    /// <summary>The certification session (phone page action challenge) this certification verifies; null for a single selfie.</summary>
    public string? SessionId { get; init; }
    /// <summary>
    /// The decision reached and written before its effects outside the record (cycle, failed-attempt count, review
    /// hold), while <see cref="Status"/> is still Processing; the scores and reasons beside it are the decision's. Any
    /// later delivery, the poison handler or the stale sweep completes it instead of analysing again, so the record
    /// always ends as the effects say.
    /// </summary>
    public CertificationStatus? IntendedStatus { get; init; }
    /// <summary>When the stale sweep re-queued the verification (it does so once; a second stale finding records Failed).</summary>
    public DateTimeOffset? RequeuedAt { get; init; }
    /// <summary>The operator who submitted it (operator channels); null for the pensioner's own app submissions.</summary>
    public string? SubmittedBy { get; init; }
    /// <summary>The reviewer who decided it (decisions from review).</summary>
    public string? DecidedBy { get; init; }
    /// <summary><c>worker</c> (automatic) or <c>review</c>; null before a decision.</summary>
    public string? DecisionSource { get; init; }
    /// <summary>What the pensioner should do next (<see cref="Certification.Guidance"/> code); null before a decision.</summary>
    public string? Guidance { get; init; }
    /// <summary>The review case of a NeedsReview certification.</summary>
    public string? ReviewCaseId { get; init; }
    /// <summary>Operator-captured channels: the operator (token <c>sub</c>) who captured the photo.</summary>
    public string? CapturedBy { get; init; }
    /// <summary>Operator-captured channels: the service point code where the photo was captured.</summary>
    public string? ServicePoint { get; init; }
    /// <summary>Operator-captured channels: the operator attested that the ID document was checked in person.</summary>
    public bool? IdDocumentChecked { get; init; }
    /// <summary>Channel home-visit: the visit the photo was captured on.</summary>
    public string? HomeVisitId { get; init; }
    /// <summary>Family-assisted certification (亲情认证): the helper id that submitted the pensioner's selfie.</summary>
    public string? AssistedBy { get; init; }
    public string? ETag { get; init; }
}

/// <summary>A selfie due for deletion on <paramref name="DeleteOn"/> (China date).</summary>
public sealed record SelfieRetentionEntry(DateOnly DeleteOn, string CertificationId);

/// <summary>What an Idempotency-Key is bound to: the certification it created and a hash of the request.</summary>
public sealed record IdempotencyEntry(string CertificationId, string RequestHash, DateTimeOffset CreatedAt)
{
    /// <summary>The blob name of the selfie the key is bound to (null in entries written before selfies were named by date: the certification id).</summary>
    public string? SelfieBlobName { get; init; }
}

/// <summary>The queue message for one certification. Small: ids only, never photos or personal data.</summary>
/// <param name="CertificationId">The certification to verify.</param>
/// <param name="TraceParent">
/// The W3C <c>traceparent</c> of the span that queued it (JSON <c>traceparent</c>), so the verification continues the
/// submission's trace; null when sent outside a span (and in messages queued before it existed).
/// </param>
/// <param name="SelfieBlobName">
/// The selfie's blob name (JSON <c>selfie</c>, see <see cref="SelfieNames"/>), so a message whose record was never
/// written can still find and delete its photo; null in messages queued before selfies were named by date (the
/// certification id is the name then).
/// </param>
public sealed record VerificationMessage(
    string CertificationId,
    [property: System.Text.Json.Serialization.JsonPropertyName("traceparent")]
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? TraceParent = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("selfie")]
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? SelfieBlobName = null);

/// <summary>Which private blob container a photo lives in.</summary>
public enum PhotoContainer
{
    References,
    Selfies,
    /// <summary>Action-challenge frames of certification sessions: <c>{sessionId}/{step}/{index}</c>.</summary>
    SessionFrames,
}
