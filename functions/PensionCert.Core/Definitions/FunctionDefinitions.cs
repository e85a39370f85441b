namespace PensionCert.Core.Definitions;

/// <summary>
/// The one definition of every HTTP route, queue and schedule. The Azure Functions attributes and the local host
/// both read these constants; a test checks the generated <c>functions.metadata</c> against the local host.
/// Routes are relative to the <c>/api</c> prefix (host.json <c>extensions.http.routePrefix</c>).
/// </summary>
public static class Routes
{
    /// <summary>The route prefix both hosts serve under (host.json <c>extensions.http.routePrefix</c>).</summary>
    public const string Prefix = "api";

    /// <summary>GET: storage and model readiness.</summary>
    public const string Health = "health";

    /// <summary>POST (operator): enrol a pensioner with a reference photo.</summary>
    public const string Pensioners = "pensioners";

    /// <summary>GET (operator): one pensioner's profile (ID number masked unless the role allows more); DELETE (admin): erase the pensioner.</summary>
    public const string Pensioner = "pensioners/{pensionerId}";

    /// <summary>GET (operator: reviewer, admin): review cases of the operator's regions, oldest first (filters: region, reason, state, minAgeDays, date; paged).</summary>
    public const string ReviewCases = "review-cases";

    /// <summary>GET (reviewer, admin): one review case with its certification, scores and the pensioner's recent attempts.</summary>
    public const string ReviewCase = "review-cases/{caseId}";

    /// <summary>POST (reviewer, admin): claim a case (a lease that expires).</summary>
    public const string ReviewCaseClaim = "review-cases/{caseId}/claim";

    /// <summary>POST (reviewer, admin): give up the caller's claim.</summary>
    public const string ReviewCaseRelease = "review-cases/{caseId}/release";

    /// <summary>POST (reviewer, admin): decide a claimed case (approve, reject with a reason, send offline).</summary>
    public const string ReviewCaseDecision = "review-cases/{caseId}/decision";

    /// <summary>GET (reviewer, admin): the reference or probe photo of a case (<c>reference</c> or <c>probe</c>), <c>Cache-Control: no-store</c>, audited.</summary>
    public const string ReviewCasePhoto = "review-cases/{caseId}/photos/{kind}";

    /// <summary>POST (admin): ask for the reversal of a wrong death or transfer record (a second admin approves the review case).</summary>
    public const string PensionerStatusReversals = "pensioners/{pensionerId}/status-reversals";

    /// <summary>POST (clerk, admin): change the name on record, explicitly and with a reason.</summary>
    public const string PensionerName = "pensioners/{pensionerId}/name";

    /// <summary>GET (client): eligibility of one pensioner.</summary>
    public const string PensionerEligibility = "pensioners/{pensionerId}/eligibility";

    /// <summary>POST (client): submit a selfie for certification.</summary>
    public const string Certifications = "certifications";

    /// <summary>GET (client): one certification's status and decision.</summary>
    public const string Certification = "certifications/{certificationId}";

    /// <summary>GET (anonymous): the OpenAPI 3 document of the HTTP API.</summary>
    public const string OpenApi = "openapi.json";

    /// <summary>POST (operator): a batch of data-comparison and death records (JSON lines or CSV).</summary>
    public const string Evidence = "evidence";

    /// <summary>GET (operator): a region's payroll changes in a month (<c>?month=yyyy-MM</c>), JSON or CSV.</summary>
    public const string RegionPaymentChanges = "regions/{regionCode}/payment-changes";

    /// <summary>GET (operator): a region's pensioners in a state (<c>?state=Overdue</c>), paged.</summary>
    public const string RegionPensioners = "regions/{regionCode}/pensioners";

    /// <summary>POST (operator): record an investigation outcome.</summary>
    public const string PensionerInvestigation = "pensioners/{pensionerId}/investigation";

    /// <summary>POST (operator): mark a pensioner deceased or transferred.</summary>
    public const string PensionerStatus = "pensioners/{pensionerId}/status";

    /// <summary>POST (client, the channel's server): create a certification session for the phone page.</summary>
    public const string CertificationSessions = "certification-sessions";

    /// <summary>GET (client, the channel's server): a session's state and its certification's decision.</summary>
    public const string CertificationSession = "certification-sessions/{sessionId}";

    /// <summary>GET (the phone page, session token in <c>X-Session-Token</c>): the challenge, state and result.</summary>
    public const string PageSession = "page/session";

    /// <summary>POST (the phone page, session token): the frames of one action step (multipart: nonce, step, frame…).</summary>
    public const string PageSessionFrames = "page/session/frames";

    /// <summary>POST (the phone page, session token): submit the session once (JSON: nonce).</summary>
    public const string PageSessionSubmit = "page/session/submit";

    /// <summary>POST (the phone page, session token): the session's pensioner asks for a home visit (reason, phone, address, dates).</summary>
    public const string PageSessionHomeVisit = "page/session/home-visit-request";

    /// <summary>GET (operator): pensioners the daily cycle scan could not process (cycle exceptions) in a region and the regions below it.</summary>
    public const string RegionCycleExceptions = "regions/{regionCode}/cycle-exceptions";
    /// <summary>POST (operator: clerk, admin): a photo captured at the counter, a community centre or a home visit, with the operator's attestation.</summary>
    public const string OfflineCertifications = "offline-certifications";

    /// <summary>GET (operator): one certification with its capture attestation.</summary>
    public const string OfflineCertification = "offline-certifications/{certificationId}";

    /// <summary>POST (operator): request a home visit; GET (operator): list a region's visits.</summary>
    public const string HomeVisits = "home-visits";

    /// <summary>GET (operator): one home visit with the contact phone and address.</summary>
    public const string HomeVisit = "home-visits/{visitId}";

    /// <summary>POST (operator): schedule (or reschedule) a home visit.</summary>
    public const string HomeVisitSchedule = "home-visits/{visitId}/schedule";

    /// <summary>POST (operator): complete a home visit with the certification captured on it.</summary>
    public const string HomeVisitComplete = "home-visits/{visitId}/complete";

    /// <summary>POST (operator): cancel an open home visit.</summary>
    public const string HomeVisitCancel = "home-visits/{visitId}/cancel";

    /// <summary>POST (operator): record a visit that took place without a certification (not at home, found deceased, refused).</summary>
    public const string HomeVisitUnsuccessful = "home-visits/{visitId}/unsuccessful";

    /// <summary>POST (client): a pensioner or family member requests a home visit.</summary>
    public const string HomeVisitRequests = "home-visit-requests";

    /// <summary>GET (client): the state of a home-visit request (no contact data).</summary>
    public const string HomeVisitRequest = "home-visit-requests/{visitId}";

    /// <summary>POST (client): a family member's app asks to be bound as the pensioner's helper (亲情认证).</summary>
    public const string FamilyHelperRequests = "family-helper-requests";

    /// <summary>GET (operator): a pensioner's family helpers.</summary>
    public const string PensionerFamilyHelpers = "pensioners/{pensionerId}/family-helpers";

    /// <summary>POST (operator): approve a pending family helper.</summary>
    public const string FamilyHelperApprove = "pensioners/{pensionerId}/family-helpers/{helperId}/approve";

    /// <summary>POST (operator): revoke a family helper.</summary>
    public const string FamilyHelperRevoke = "pensioners/{pensionerId}/family-helpers/{helperId}/revoke";

    /// <summary>GET (operator): a region's approved family-assisted certifications in a month (<c>?month=yyyy-MM</c>).</summary>
    public const string RegionAssistedCertifications = "regions/{regionCode}/assisted-certifications";

    /// <summary>POST (operator): find a pensioner by ID number (in the body, never the URL); the masked profile.</summary>
    public const string PensionerLookups = "pensioner-lookups";

    /// <summary>GET (operator): a pensioner's certifications, open holds, superseded references and audit trail.</summary>
    public const string PensionerHistory = "pensioners/{pensionerId}/history";

    /// <summary>
    /// GET (anonymous): the operator console's static files (<c>wwwroot/console</c>). Not part of the API: no key, no
    /// rate limit, no audit row. The local host serves them at <c>/console/</c> as well as under the route prefix.
    /// </summary>
    public const string ConsoleFiles = "console/{*path}";

    /// <summary>The folder under the app's <c>wwwroot</c> and the URL path segment of the operator console.</summary>
    public const string ConsoleSite = "console";

    /// <summary>GET (anonymous): the pensioner's phone page (static files), <c>/api/h5/</c> in the Functions app and also <c>/h5/</c> locally.</summary>
    public const string PhonePageFiles = "h5/{*path}";

    /// <summary>The phone page's folder (under wwwroot, and its path without the route prefix on the local host).</summary>
    public const string PhonePageSite = "h5";
}

/// <summary>Storage queue names (lower-case, 3-63 characters, as the Queue service requires).</summary>
public static class QueueNames
{
    /// <summary>One message per accepted certification: <see cref="Storage.VerificationMessage"/>.</summary>
    public const string Verification = "certification-verification";

    /// <summary>
    /// Where the queue trigger moves a verification message after <c>maxDequeueCount</c> failed deliveries (the
    /// WebJobs naming rule: queue name + <c>-poison</c>). Both hosts serve a trigger on it that records the
    /// certification as Failed (<see cref="FunctionNames.RecordPoisonedVerification"/>).
    /// </summary>
    public const string VerificationPoison = Verification + "-poison";

    /// <summary>
    /// The local event sink: CloudEvents JSON, one per message, plain text (no Base64), used when no Service Bus is
    /// configured. Nothing consumes it; tests and the README demo read it.
    /// </summary>
    public const string Events = "pensioncert-events";

    /// <summary>
    /// The daily cycle's work items: one message per slice of a date's due-index partition
    /// (<see cref="Cycle.CycleScanItemMessage"/>), written by the scan timer and worked by
    /// <see cref="FunctionNames.ProcessCycleScanItem"/> on as many instances as the platform scales out to.
    /// </summary>
    public const string CycleScanItems = "cycle-scan-items";

    /// <summary>
    /// Where a cycle work item goes after <c>maxDequeueCount</c> failed deliveries; both hosts serve a trigger on it that
    /// records the item as Poisoned in its date's ledger (<see cref="FunctionNames.RecordPoisonedCycleScanItem"/>).
    /// </summary>
    public const string CycleScanItemsPoison = CycleScanItems + "-poison";
}

/// <summary>Timer schedules: six-field NCRONTAB expressions (second minute hour day month weekday) in UTC.</summary>
public static class Schedules
{
    /// <summary>
    /// The daily retention run (selfies past retention, orphan pending reference photos, past days' phone-page session
    /// counts): daily at 18:30 UTC = 02:30 China Standard Time (UTC+8, no daylight saving).
    /// </summary>
    public const string PurgeExpiredSelfies = "0 30 18 * * *";

    /// <summary>The daily cycle scan: 17:00 UTC, which is 01:00 China Standard Time the next day (China has no daylight saving).</summary>
    public const string CycleScan = "0 0 17 * * *";

    /// <summary>The outbox dispatcher: every minute, at second 0.</summary>
    public const string DispatchEvents = "0 * * * * *";

    /// <summary>Certification sessions expired for longer than the keep time, and their frames: every 15 minutes.</summary>
    public const string PurgeExpiredSessions = "0 */15 * * * *";

    /// <summary>Idempotency-key purge: daily at 19:00 UTC = 03:00 China Standard Time (after the selfie purge at 02:30).</summary>
    public const string PurgeExpiredIdempotencyKeys = "0 0 19 * * *";

    /// <summary>The stale-certification sweep: every 5 minutes, at second 30 (off the dispatcher's second 0).</summary>
    public const string SweepStaleCertifications = "30 */5 * * * *";
    /// <summary>Review sweep (aged cases escalate, unfinished decisions are finished): hourly at minute 20.</summary>
    public const string SweepReviewCases = "0 20 * * * *";

    /// <summary>Home-visit sweep (escalate, expire, repair): daily at 17:20 UTC = 01:20 China Standard Time, after the cycle scan.</summary>
    public const string SweepHomeVisits = "0 20 17 * * *";

    /// <summary>
    /// The nightly table export to the audit archive: every 10 minutes from 18:00 to 20:50 UTC = 02:00-04:50 China
    /// Standard Time, after the cycle scan (01:00) and the home-visit sweep (01:20). The first fire of the night exports;
    /// a fire cut short by the function timeout is resumed by the next; once the date's manifest exists, a fire only
    /// checks it. The export's date is the China date.
    /// </summary>
    public const string ExportTables = "0 */10 18-20 * * *";
}

/// <summary>Function names shared by both hosts (the Azure Functions <c>[Function]</c> names).</summary>
public static class FunctionNames
{
    public const string Health = "Health";
    public const string EnrollPensioner = "EnrollPensioner";
    public const string GetEligibility = "GetEligibility";
    public const string SubmitCertification = "SubmitCertification";
    public const string GetCertification = "GetCertification";
    public const string VerifyCertification = "VerifyCertification";
    public const string GetPensioner = "GetPensioner";
    public const string ErasePensioner = "ErasePensioner";
    public const string PurgeExpiredSelfies = "PurgeExpiredSelfies";
    public const string ListReviewCases = "ListReviewCases";
    public const string OpenApi = "OpenApi";
    public const string ImportEvidence = "ImportEvidence";
    public const string GetPaymentChanges = "GetPaymentChanges";
    public const string ListRegionPensioners = "ListRegionPensioners";
    public const string RecordInvestigationOutcome = "RecordInvestigationOutcome";
    public const string ChangePensionerStatus = "ChangePensionerStatus";
    public const string ScanCertificationCycle = "ScanCertificationCycle";
    public const string DispatchCycleEvents = "DispatchCycleEvents";
    public const string ProcessCycleScanItem = "ProcessCycleScanItem";
    public const string RecordPoisonedCycleScanItem = "RecordPoisonedCycleScanItem";
    public const string PurgeExpiredIdempotencyKeys = "PurgeExpiredIdempotencyKeys";
    public const string RecordPoisonedVerification = "RecordPoisonedVerification";
    public const string SweepStaleCertifications = "SweepStaleCertifications";
    public const string ListCycleExceptions = "ListCycleExceptions";
    public const string SweepHomeVisits = "SweepHomeVisits";
    public const string SubmitOfflineCertification = "SubmitOfflineCertification";
    public const string GetOfflineCertification = "GetOfflineCertification";
    public const string RequestHomeVisit = "RequestHomeVisit";
    public const string ListHomeVisits = "ListHomeVisits";
    public const string GetHomeVisit = "GetHomeVisit";
    public const string ScheduleHomeVisit = "ScheduleHomeVisit";
    public const string CompleteHomeVisit = "CompleteHomeVisit";
    public const string CancelHomeVisit = "CancelHomeVisit";
    public const string RecordUnsuccessfulHomeVisit = "RecordUnsuccessfulHomeVisit";
    public const string RequestHomeVisitByClient = "RequestHomeVisitByClient";
    public const string GetHomeVisitRequest = "GetHomeVisitRequest";
    public const string RequestHomeVisitFromPage = "RequestHomeVisitFromPage";
    public const string RequestFamilyHelper = "RequestFamilyHelper";
    public const string ListFamilyHelpers = "ListFamilyHelpers";
    public const string ApproveFamilyHelper = "ApproveFamilyHelper";
    public const string RevokeFamilyHelper = "RevokeFamilyHelper";
    public const string ListAssistedCertifications = "ListAssistedCertifications";
    public const string ConsoleFiles = "ConsoleFiles";
    public const string GetReviewCase = "GetReviewCase";
    public const string ClaimReviewCase = "ClaimReviewCase";
    public const string ReleaseReviewCase = "ReleaseReviewCase";
    public const string DecideReviewCase = "DecideReviewCase";
    public const string GetReviewCasePhoto = "GetReviewCasePhoto";
    public const string RequestStatusReversal = "RequestStatusReversal";
    public const string ChangePensionerName = "ChangePensionerName";
    public const string SweepReviewCases = "SweepReviewCases";
    public const string CreateCertificationSession = "CreateCertificationSession";
    public const string GetCertificationSession = "GetCertificationSession";
    public const string GetPageSession = "GetPageSession";
    public const string UploadSessionFrames = "UploadSessionFrames";
    public const string SubmitSession = "SubmitSession";
    public const string PurgeExpiredSessions = "PurgeExpiredSessions";
    public const string LookupPensioner = "LookupPensioner";
    public const string GetPensionerHistory = "GetPensionerHistory";
    public const string PhonePageFiles = "PhonePageFiles";
    public const string ExportTables = "ExportTables";
}
