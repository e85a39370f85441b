using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PensionCert.Core.Events;

/// <summary>The CloudEvents <c>type</c> of every event PensionCert publishes. Names never change once published.</summary>
public static class EventTypes
{
    /// <summary>A face (or counter, community, home-visit) certification was approved; the year restarts.</summary>
    public const string CertificationApproved = "certification.approved";
    /// <summary>A trusted data-comparison record certified the pensioner without any action (静默认证).</summary>
    public const string CertificationSilent = "certification.silent";
    /// <summary>A reminder: the validity ends in <c>daysBefore</c> days.</summary>
    public const string CertificationDueSoon = "certification.due-soon";
    /// <summary>The overdue notice, on the first day after the last valid day.</summary>
    public const string CertificationOverdue = "certification.overdue";
    /// <summary>An investigation task for the region's operators (call, visit, data check).</summary>
    public const string InvestigationOpened = "investigation.opened";
    /// <summary>The investigation ended without suspension (certified, or an operator closed it).</summary>
    public const string InvestigationClosed = "investigation.closed";
    /// <summary>An operator requested a home visit: suspension is held while it is open.</summary>
    public const string HomeVisitRequested = "investigation.home-visit-requested";
    /// <summary>Payment suspended (operator-confirmed or automatic after the grace period).</summary>
    public const string PaymentSuspended = "payment.suspended";
    /// <summary>Payment resumes from <c>resumeFromMonth</c>; <c>backPayMonths</c> lists the months to back-pay.</summary>
    public const string PaymentResumed = "payment.resumed";
    /// <summary>Payment stops (death); <c>dateOfDeath</c> lets payroll recover overpayments.</summary>
    public const string PaymentStopped = "payment.stopped";
    /// <summary>The pensioner was recorded deceased.</summary>
    public const string PensionerDeceased = "pensioner.deceased";
    /// <summary>The pension was transferred to another agency.</summary>
    public const string PensionerTransferred = "pensioner.transferred";
    /// <summary>A certification was rejected (by the worker or a reviewer); <c>guidance</c> says what to do next.</summary>
    public const string CertificationRejected = "certification.rejected";
    /// <summary>A certification waits for a reviewer (<c>guidance</c> wait-for-review).</summary>
    public const string CertificationNeedsReview = "certification.needs-review";
    /// <summary>A certification could not be processed (<c>guidance</c> retry-later).</summary>
    public const string CertificationFailed = "certification.failed";
    /// <summary>
    /// A review case is still open after the configured number of days (escalation to the region's supervisors),
    /// repeated every further that many days while it stays open; <c>escalationCount</c> counts the reports.
    /// </summary>
    public const string ReviewCaseAged = "review.case-aged";
    /// <summary>
    /// An operator's request nobody decided in time lapsed (state expired, decided by <c>system</c>): <c>reason</c> is the
    /// case's reason (death-report, transfer-report, reference-change); nothing it asked for was applied.
    /// </summary>
    public const string ReviewCaseLapsed = "review.case-lapsed";
    /// <summary>A wrong death or transfer record was reversed by two admins; payment.resumed follows with back-pay.</summary>
    public const string PensionerReinstated = "pensioner.reinstated";
    /// <summary>
    /// An operator reported the pensioner's death: payment is held (nothing new is paid from <c>stopFromMonth</c>) until a
    /// second admin decides the death-report case <c>reviewCaseId</c>. Not a suspension: the standing and the cycle are unchanged.
    /// </summary>
    public const string PaymentHeld = "payment.held";
    /// <summary>The death report was rejected or lapsed: the hold ends, payment resumes from <c>resumeFromMonth</c>, <c>backPayMonths</c> are paid back.</summary>
    public const string PaymentReleased = "payment.released";
    /// <summary>
    /// A live certification was approved while a death-report case is open: the case (<c>reviewCaseId</c>) needs a
    /// reviewer's attention now (the payment stays held until an admin decides).
    /// </summary>
    public const string ReviewDeathReportContested = "review.death-report-contested";
}

/// <summary>
/// The data of a cycle event. Identifies the pensioner only by the opaque pensioner id: never the ID number, name or
/// face. Dates are China Standard Time calendar dates (yyyy-MM-dd), months are yyyy-MM.
/// </summary>
public sealed record CycleEventData
{
    public required string PensionerId { get; init; }
    /// <summary>6-digit administrative region code.</summary>
    public required string RegionCode { get; init; }
    /// <summary>Channel to notify on (the channel of the last certification), or null.</summary>
    public string? PreferredChannel { get; init; }
    /// <summary>The state after the change (an <see cref="Cycle.EligibilityState"/> name).</summary>
    public required string State { get; init; }
    /// <summary>The business date of the change.</summary>
    public required DateOnly EffectiveOn { get; init; }
    public DateOnly? LastCertifiedOn { get; init; }
    public DateOnly? ValidUntil { get; init; }
    /// <summary>For reminders: days before the last valid day.</summary>
    public int? DaysBefore { get; init; }
    /// <summary>Certification channel (wire name), for certification events.</summary>
    public string? Channel { get; init; }
    /// <summary>Certification id, for face certifications.</summary>
    public string? CertificationId { get; init; }
    /// <summary>Evidence type and source, for silent certifications and death records.</summary>
    public string? EvidenceType { get; init; }
    public string? EvidenceSource { get; init; }
    /// <summary>For payment.resumed: first month paid again.</summary>
    public string? ResumeFromMonth { get; init; }
    /// <summary>For payment.resumed: the suspended months to back-pay (empty when the region switches back-pay off).</summary>
    public IReadOnlyList<string>? BackPayMonths { get; init; }
    /// <summary>For payment.suspended / payment.stopped: first month not paid.</summary>
    public string? StopFromMonth { get; init; }
    public DateOnly? DateOfDeath { get; init; }
    /// <summary>For pensioner.transferred / payment.stopped by transfer: the transfer date.</summary>
    public DateOnly? TransferredOn { get; init; }
    /// <summary>Free reason code (e.g. <c>auto-suspend</c>, <c>operator-confirmed</c>, <c>transferred</c>).</summary>
    public string? Reason { get; init; }
    /// <summary>For certification decisions: what the pensioner should do next (a <see cref="Certification.Guidance"/> code).</summary>
    public string? Guidance { get; init; }
    /// <summary>For certification decisions: <c>worker</c> (automatic) or <c>review</c> (a reviewer decided).</summary>
    public string? DecisionSource { get; init; }
    /// <summary>For review events: the review case id.</summary>
    public string? ReviewCaseId { get; init; }
    /// <summary>For review.case-aged: how many times the case has been reported aged, this report included (1, 2, …).</summary>
    public int? EscalationCount { get; init; }
    /// <summary>For home-visit.* events: the visit id.</summary>
    public string? HomeVisitId { get; init; }
    /// <summary>For home-visit.* events: the visit's state after the change.</summary>
    public string? VisitState { get; init; }
    /// <summary>For home-visit.* events: the China date the visit is scheduled on.</summary>
    public DateOnly? ScheduledOn { get; init; }
    /// <summary>For home-visit.* events: the member of staff assigned (an operator id).</summary>
    public string? AssignedStaff { get; init; }
    /// <summary>For certification.approved of a family-assisted certification: the helper id (亲情认证).</summary>
    public string? AssistedBy { get; init; }
}

/// <summary>
/// One event as written to the outbox with the state change that caused it.
/// </summary>
/// <param name="Id">Deterministic id (<see cref="EventIds.For"/>): a retried change yields the same id, which is the outbox RowKey (the insert-if-absent marker) and the Service Bus MessageId.</param>
/// <param name="Type">One of <see cref="EventTypes"/>.</param>
/// <param name="OccurredAt">When the change was recorded (UTC).</param>
/// <param name="Sequence">Order within the transaction that wrote it (0, 1, …).</param>
/// <param name="Data">The data.</param>
public sealed record CycleEvent(string Id, string Type, DateTimeOffset OccurredAt, int Sequence, CycleEventData Data)
{
    /// <summary>The CloudEvents <c>source</c>: <c>/pensioncert/regions/{regionCode}</c>.</summary>
    public string Source => "/pensioncert/regions/" + Data.RegionCode;

    /// <summary>The payroll-relevant types (listed by the payment-changes endpoint).</summary>
    public bool IsPaymentChange => Type is EventTypes.PaymentSuspended or EventTypes.PaymentResumed or EventTypes.PaymentStopped or EventTypes.PaymentHeld or EventTypes.PaymentReleased;
}

/// <summary>Deterministic event ids.</summary>
public static class EventIds
{
    /// <summary>
    /// <c>e</c> + 32 hex digits of SHA-256 over the pensioner id, the event type and a discriminator (e.g. the cycle's
    /// last valid day, a certification id or an evidence key): the same change always gets the same id.
    /// </summary>
    public static string For(string pensionerId, string type, string discriminator)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{pensionerId}\n{type}\n{discriminator}"));
        return "e" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}

/// <summary>CloudEvents 1.0 structured-mode JSON (<c>application/cloudevents+json</c>) for <see cref="CycleEvent"/>.</summary>
public static class CloudEventJson
{
    /// <summary>The structured-mode content type.</summary>
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    /// <summary>Data JSON conventions: camelCase, dates yyyy-MM-dd, nulls omitted, Chinese unescaped.</summary>
    public static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    /// <summary>Serialises the data alone (as stored in the outbox row).</summary>
    public static string SerializeData(CycleEventData data) => JsonSerializer.Serialize(data, DataOptions);

    /// <summary>Parses stored data.</summary>
    public static CycleEventData DeserializeData(string json) =>
        JsonSerializer.Deserialize<CycleEventData>(json, DataOptions) ?? throw new FormatException("Empty event data.");

    /// <summary>
    /// The CloudEvents 1.0 envelope: <c>specversion</c> 1.0, <c>id</c>, <c>source</c>, <c>type</c>, <c>subject</c>
    /// (pensioner id), <c>time</c> (RFC 3339 UTC), <c>datacontenttype</c> application/json and <c>data</c>.
    /// </summary>
    public static string Serialize(CycleEvent e)
    {
        var envelope = new Envelope("1.0", e.Id, e.Source, e.Type, e.Data.PensionerId, e.OccurredAt.ToUniversalTime(), "application/json", e.Data);
        return JsonSerializer.Serialize(envelope, DataOptions);
    }

    /// <summary>Parses an envelope written by <see cref="Serialize"/> (tests and consumers).</summary>
    public static CycleEvent Deserialize(string json)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(json, DataOptions) ?? throw new FormatException("Empty CloudEvent.");
        if (envelope.SpecVersion != "1.0") throw new FormatException("Not a CloudEvents 1.0 event.");
        return new CycleEvent(envelope.Id, envelope.Type, envelope.Time, 0, envelope.Data);
    }

    private sealed record Envelope(
        [property: JsonPropertyName("specversion")] string SpecVersion,
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("subject")] string Subject,
        [property: JsonPropertyName("time")] DateTimeOffset Time,
        [property: JsonPropertyName("datacontenttype")] string DataContentType,
        [property: JsonPropertyName("data")] CycleEventData Data);
}
