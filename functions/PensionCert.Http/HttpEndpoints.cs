using PensionCert.Core.Definitions;
using PensionCert.Core.Operators;

namespace PensionCert.Http;

/// <summary>Who may call an endpoint.</summary>
public enum ApiAccess
{
    /// <summary>Anyone (health probe).</summary>
    Anonymous,

    /// <summary>Client apps: the Functions key header <c>x-functions-key</c> (checked by the Functions host in Azure).</summary>
    Client,

    /// <summary>The phone page: a certification session token in <c>X-Session-Token</c>, checked by the app (Anonymous at the Functions host).</summary>
    Session,

    /// <summary>Operators: an <c>Authorization: Bearer</c> JWT (checked by the app in both hosts; Anonymous at the Functions host).</summary>
    Operator,
}

/// <summary>One HTTP-triggered function: its name, method, route (without the <c>api/</c> prefix) and access.</summary>
public sealed record HttpEndpoint(string FunctionName, string Method, string Route, ApiAccess Access)
{
    /// <summary>
    /// For <see cref="ApiAccess.Operator"/> endpoints: the roles allowed (empty = every role of a person). The machine
    /// identity <see cref="OperatorRole.Integration"/> is admitted only where it is named.
    /// </summary>
    public IReadOnlyList<OperatorRole> Roles { get; init; } = [];

    /// <summary>True when <paramref name="role"/> may call <paramref name="endpoint"/> (see <see cref="Roles"/>).</summary>
    public static bool Admits(HttpEndpoint endpoint, OperatorRole role)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Roles.Count > 0 ? endpoint.Roles.Contains(role) : role != OperatorRole.Integration;
    }
}

/// <summary>
/// Every HTTP function, defined once. The Azure Functions classes use the same constants in their attributes; the
/// local host maps exactly this list; a test compares it with the generated <c>functions.metadata</c>.
/// </summary>
public static class HttpEndpoints
{
    public static readonly HttpEndpoint Health = new(FunctionNames.Health, "GET", Routes.Health, ApiAccess.Anonymous);
    public static readonly HttpEndpoint EnrollPensioner = new(FunctionNames.EnrollPensioner, "POST", Routes.Pensioners, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Admin] };
    public static readonly HttpEndpoint GetPensioner = new(FunctionNames.GetPensioner, "GET", Routes.Pensioner, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ListReviewCases = new(FunctionNames.ListReviewCases, "GET", Routes.ReviewCases, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ErasePensioner = new(FunctionNames.ErasePensioner, "DELETE", Routes.Pensioner, ApiAccess.Operator) { Roles = [OperatorRole.Admin] };
    public static readonly HttpEndpoint GetEligibility = new(FunctionNames.GetEligibility, "GET", Routes.PensionerEligibility, ApiAccess.Client);
    public static readonly HttpEndpoint SubmitCertification = new(FunctionNames.SubmitCertification, "POST", Routes.Certifications, ApiAccess.Client);
    public static readonly HttpEndpoint GetCertification = new(FunctionNames.GetCertification, "GET", Routes.Certification, ApiAccess.Client);
    public static readonly HttpEndpoint OpenApi = new(FunctionNames.OpenApi, "GET", Routes.OpenApi, ApiAccess.Anonymous);

    public static readonly HttpEndpoint ImportEvidence = new(FunctionNames.ImportEvidence, "POST", Routes.Evidence, ApiAccess.Operator) { Roles = [OperatorRole.Integration] };
    public static readonly HttpEndpoint GetPaymentChanges = new(FunctionNames.GetPaymentChanges, "GET", Routes.RegionPaymentChanges, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ListRegionPensioners = new(FunctionNames.ListRegionPensioners, "GET", Routes.RegionPensioners, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint RecordInvestigationOutcome = new(FunctionNames.RecordInvestigationOutcome, "POST", Routes.PensionerInvestigation, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ListCycleExceptions = new(FunctionNames.ListCycleExceptions, "GET", Routes.RegionCycleExceptions, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ChangePensionerStatus = new(FunctionNames.ChangePensionerStatus, "POST", Routes.PensionerStatus, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Admin] };

    public static readonly HttpEndpoint GetReviewCase = new(FunctionNames.GetReviewCase, "GET", Routes.ReviewCase, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ClaimReviewCase = new(FunctionNames.ClaimReviewCase, "POST", Routes.ReviewCaseClaim, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint ReleaseReviewCase = new(FunctionNames.ReleaseReviewCase, "POST", Routes.ReviewCaseRelease, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint DecideReviewCase = new(FunctionNames.DecideReviewCase, "POST", Routes.ReviewCaseDecision, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint GetReviewCasePhoto = new(FunctionNames.GetReviewCasePhoto, "GET", Routes.ReviewCasePhoto, ApiAccess.Operator) { Roles = [OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint RequestStatusReversal = new(FunctionNames.RequestStatusReversal, "POST", Routes.PensionerStatusReversals, ApiAccess.Operator) { Roles = [OperatorRole.Admin] };
    public static readonly HttpEndpoint ChangePensionerName = new(FunctionNames.ChangePensionerName, "POST", Routes.PensionerName, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Admin] };
    public static readonly HttpEndpoint CreateCertificationSession = new(FunctionNames.CreateCertificationSession, "POST", Routes.CertificationSessions, ApiAccess.Client);
    public static readonly HttpEndpoint GetCertificationSession = new(FunctionNames.GetCertificationSession, "GET", Routes.CertificationSession, ApiAccess.Client);
    public static readonly HttpEndpoint GetPageSession = new(FunctionNames.GetPageSession, "GET", Routes.PageSession, ApiAccess.Session);
    public static readonly HttpEndpoint UploadSessionFrames = new(FunctionNames.UploadSessionFrames, "POST", Routes.PageSessionFrames, ApiAccess.Session);
    public static readonly HttpEndpoint SubmitSession = new(FunctionNames.SubmitSession, "POST", Routes.PageSessionSubmit, ApiAccess.Session);
    public static readonly HttpEndpoint LookupPensioner = new(FunctionNames.LookupPensioner, "POST", Routes.PensionerLookups, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin] };
    public static readonly HttpEndpoint GetPensionerHistory = new(FunctionNames.GetPensionerHistory, "GET", Routes.PensionerHistory, ApiAccess.Operator) { Roles = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin] };
    private static readonly OperatorRole[] ClerkOrAdmin = [OperatorRole.Clerk, OperatorRole.Admin];
    private static readonly OperatorRole[] AnyOperator = [OperatorRole.Clerk, OperatorRole.Reviewer, OperatorRole.Admin];
    public static readonly HttpEndpoint SubmitOfflineCertification = new(FunctionNames.SubmitOfflineCertification, "POST", Routes.OfflineCertifications, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint GetOfflineCertification = new(FunctionNames.GetOfflineCertification, "GET", Routes.OfflineCertification, ApiAccess.Operator) { Roles = AnyOperator };
    public static readonly HttpEndpoint RequestHomeVisit = new(FunctionNames.RequestHomeVisit, "POST", Routes.HomeVisits, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint ListHomeVisits = new(FunctionNames.ListHomeVisits, "GET", Routes.HomeVisits, ApiAccess.Operator) { Roles = AnyOperator };
    public static readonly HttpEndpoint GetHomeVisit = new(FunctionNames.GetHomeVisit, "GET", Routes.HomeVisit, ApiAccess.Operator) { Roles = AnyOperator };
    public static readonly HttpEndpoint ScheduleHomeVisit = new(FunctionNames.ScheduleHomeVisit, "POST", Routes.HomeVisitSchedule, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint CompleteHomeVisit = new(FunctionNames.CompleteHomeVisit, "POST", Routes.HomeVisitComplete, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint CancelHomeVisit = new(FunctionNames.CancelHomeVisit, "POST", Routes.HomeVisitCancel, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint RecordUnsuccessfulHomeVisit = new(FunctionNames.RecordUnsuccessfulHomeVisit, "POST", Routes.HomeVisitUnsuccessful, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint RequestHomeVisitByClient = new(FunctionNames.RequestHomeVisitByClient, "POST", Routes.HomeVisitRequests, ApiAccess.Client);
    public static readonly HttpEndpoint GetHomeVisitRequest = new(FunctionNames.GetHomeVisitRequest, "GET", Routes.HomeVisitRequest, ApiAccess.Client);
    public static readonly HttpEndpoint RequestHomeVisitFromPage = new(FunctionNames.RequestHomeVisitFromPage, "POST", Routes.PageSessionHomeVisit, ApiAccess.Session);
    public static readonly HttpEndpoint RequestFamilyHelper = new(FunctionNames.RequestFamilyHelper, "POST", Routes.FamilyHelperRequests, ApiAccess.Client);
    public static readonly HttpEndpoint ListFamilyHelpers = new(FunctionNames.ListFamilyHelpers, "GET", Routes.PensionerFamilyHelpers, ApiAccess.Operator) { Roles = AnyOperator };
    public static readonly HttpEndpoint ApproveFamilyHelper = new(FunctionNames.ApproveFamilyHelper, "POST", Routes.FamilyHelperApprove, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint RevokeFamilyHelper = new(FunctionNames.RevokeFamilyHelper, "POST", Routes.FamilyHelperRevoke, ApiAccess.Operator) { Roles = ClerkOrAdmin };
    public static readonly HttpEndpoint ListAssistedCertifications = new(FunctionNames.ListAssistedCertifications, "GET", Routes.RegionAssistedCertifications, ApiAccess.Operator) { Roles = AnyOperator };

    /// <summary>All HTTP endpoints.</summary>
    public static IReadOnlyList<HttpEndpoint> All { get; } =
    [
        Health, EnrollPensioner, GetEligibility, SubmitCertification, GetCertification, GetPensioner, ErasePensioner, ListReviewCases, OpenApi,
        ImportEvidence, GetPaymentChanges, ListRegionPensioners, RecordInvestigationOutcome, ChangePensionerStatus, ListCycleExceptions,
        GetReviewCase, ClaimReviewCase, ReleaseReviewCase, DecideReviewCase, GetReviewCasePhoto, RequestStatusReversal, ChangePensionerName,
        CreateCertificationSession, GetCertificationSession, GetPageSession, UploadSessionFrames, SubmitSession,
        LookupPensioner, GetPensionerHistory,
        SubmitOfflineCertification, GetOfflineCertification,
        RequestHomeVisit, ListHomeVisits, GetHomeVisit, ScheduleHomeVisit, CompleteHomeVisit, CancelHomeVisit, RecordUnsuccessfulHomeVisit, RequestHomeVisitByClient, GetHomeVisitRequest, RequestHomeVisitFromPage,
        RequestFamilyHelper, ListFamilyHelpers, ApproveFamilyHelper, RevokeFamilyHelper, ListAssistedCertifications,
    ];
}
