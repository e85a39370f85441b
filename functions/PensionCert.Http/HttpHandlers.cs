using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PensionCert.Core.Definitions;

namespace PensionCert.Http;

/// <summary>
/// Which handler group method serves each HTTP function, by function name: the local host maps
/// <see cref="HttpEndpoints.All"/> through this table (start-up fails if a function has no entry); the Azure
/// Functions app has one trigger class per handler group calling the same methods.
/// Adding a resource: a handler class in <c>Handlers/</c>, its endpoints in <see cref="HttpEndpoints"/>, its lines
/// here, its registration in <see cref="HttpServiceCollectionExtensions"/>, and a trigger class in the Functions app.
/// </summary>
public static class HttpHandlers
{
    /// <summary>The handler of each HTTP function.</summary>
    public static IReadOnlyDictionary<string, Func<HttpContext, Task<IResult>>> ByFunctionName { get; } = new Dictionary<string, Func<HttpContext, Task<IResult>>>(StringComparer.Ordinal)
    {
        [FunctionNames.Health] = On<HealthApi>((api, c) => api.HealthAsync(c.Request, c.RequestAborted)),
        [FunctionNames.OpenApi] = On<HealthApi>((api, c) => api.OpenApiAsync(c.Request, c.RequestAborted)),

        [FunctionNames.SubmitCertification] = On<CertificationsApi>((api, c) => api.SubmitCertificationAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetCertification] = On<CertificationsApi>((api, c) => api.GetCertificationAsync(c.Request, Route(c, "certificationId"), c.RequestAborted)),

        [FunctionNames.EnrollPensioner] = On<PensionersApi>((api, c) => api.EnrollAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetEligibility] = On<PensionersApi>((api, c) => api.GetEligibilityAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),
        [FunctionNames.GetPensioner] = On<PensionersApi>((api, c) => api.GetPensionerAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),
        [FunctionNames.ErasePensioner] = On<PensionersApi>((api, c) => api.ErasePensionerAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),

        [FunctionNames.LookupPensioner] = On<PensionerHistoryApi>((api, c) => api.LookupAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetPensionerHistory] = On<PensionerHistoryApi>((api, c) => api.GetHistoryAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),

        [FunctionNames.ListReviewCases] = On<ReviewApi>((api, c) => api.ListReviewCasesAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetReviewCase] = On<ReviewApi>((api, c) => api.GetReviewCaseAsync(c.Request, Route(c, "caseId"), c.RequestAborted)),
        [FunctionNames.ClaimReviewCase] = On<ReviewApi>((api, c) => api.ClaimReviewCaseAsync(c.Request, Route(c, "caseId"), c.RequestAborted)),
        [FunctionNames.ReleaseReviewCase] = On<ReviewApi>((api, c) => api.ReleaseReviewCaseAsync(c.Request, Route(c, "caseId"), c.RequestAborted)),
        [FunctionNames.DecideReviewCase] = On<ReviewApi>((api, c) => api.DecideReviewCaseAsync(c.Request, Route(c, "caseId"), c.RequestAborted)),
        [FunctionNames.GetReviewCasePhoto] = On<ReviewApi>((api, c) => api.GetReviewCasePhotoAsync(c.Request, Route(c, "caseId"), Route(c, "kind"), c.RequestAborted)),

        [FunctionNames.RequestStatusReversal] = On<PensionerRecordsApi>((api, c) => api.RequestStatusReversalAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),
        [FunctionNames.ChangePensionerName] = On<PensionerRecordsApi>((api, c) => api.ChangePensionerNameAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),

        [FunctionNames.ImportEvidence] = On<EvidenceApi>((api, c) => api.ImportEvidenceAsync(c.Request, c.RequestAborted)),

        [FunctionNames.GetPaymentChanges] = On<RegionsApi>((api, c) => api.GetPaymentChangesAsync(c.Request, Route(c, "regionCode"), c.RequestAborted)),
        [FunctionNames.ListRegionPensioners] = On<RegionsApi>((api, c) => api.ListRegionPensionersAsync(c.Request, Route(c, "regionCode"), c.RequestAborted)),

        [FunctionNames.RecordInvestigationOutcome] = On<CycleApi>((api, c) => api.RecordInvestigationOutcomeAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),
        [FunctionNames.ChangePensionerStatus] = On<CycleApi>((api, c) => api.ChangePensionerStatusAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),

        [FunctionNames.ListCycleExceptions] = On<CycleExceptionsApi>((api, c) => api.ListCycleExceptionsAsync(c.Request, Route(c, "regionCode"), c.RequestAborted)),

        [FunctionNames.CreateCertificationSession] = On<SessionsApi>((api, c) => api.CreateCertificationSessionAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetCertificationSession] = On<SessionsApi>((api, c) => api.GetCertificationSessionAsync(c.Request, Route(c, "sessionId"), c.RequestAborted)),
        [FunctionNames.GetPageSession] = On<SessionsApi>((api, c) => api.GetPageSessionAsync(c.Request, c.RequestAborted)),
        [FunctionNames.UploadSessionFrames] = On<SessionsApi>((api, c) => api.UploadSessionFramesAsync(c.Request, c.RequestAborted)),
        [FunctionNames.SubmitSession] = On<SessionsApi>((api, c) => api.SubmitSessionAsync(c.Request, c.RequestAborted)),

        [FunctionNames.SubmitOfflineCertification] = On<OfflineCertificationsApi>((api, c) => api.SubmitAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetOfflineCertification] = On<OfflineCertificationsApi>((api, c) => api.GetAsync(c.Request, Route(c, "certificationId"), c.RequestAborted)),

        [FunctionNames.RequestHomeVisit] = On<HomeVisitsApi>((api, c) => api.RequestAsync(c.Request, c.RequestAborted)),
        [FunctionNames.RequestHomeVisitByClient] = On<HomeVisitsApi>((api, c) => api.RequestByClientAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetHomeVisitRequest] = On<HomeVisitsApi>((api, c) => api.GetRequestAsync(c.Request, Route(c, "visitId"), c.RequestAborted)),
        [FunctionNames.RequestHomeVisitFromPage] = On<HomeVisitsApi>((api, c) => api.RequestFromPageAsync(c.Request, c.RequestAborted)),
        [FunctionNames.ListHomeVisits] = On<HomeVisitsApi>((api, c) => api.ListAsync(c.Request, c.RequestAborted)),
        [FunctionNames.GetHomeVisit] = On<HomeVisitsApi>((api, c) => api.GetAsync(c.Request, Route(c, "visitId"), c.RequestAborted)),
        [FunctionNames.ScheduleHomeVisit] = On<HomeVisitsApi>((api, c) => api.ScheduleAsync(c.Request, Route(c, "visitId"), c.RequestAborted)),
        [FunctionNames.CompleteHomeVisit] = On<HomeVisitsApi>((api, c) => api.CompleteAsync(c.Request, Route(c, "visitId"), c.RequestAborted)),
        [FunctionNames.CancelHomeVisit] = On<HomeVisitsApi>((api, c) => api.CancelAsync(c.Request, Route(c, "visitId"), c.RequestAborted)),
        [FunctionNames.RecordUnsuccessfulHomeVisit] = On<HomeVisitsApi>((api, c) => api.MarkUnsuccessfulAsync(c.Request, Route(c, "visitId"), c.RequestAborted)),

        [FunctionNames.RequestFamilyHelper] = On<FamilyHelpersApi>((api, c) => api.RequestAsync(c.Request, c.RequestAborted)),
        [FunctionNames.ListFamilyHelpers] = On<FamilyHelpersApi>((api, c) => api.ListAsync(c.Request, Route(c, "pensionerId"), c.RequestAborted)),
        [FunctionNames.ApproveFamilyHelper] = On<FamilyHelpersApi>((api, c) => api.ApproveAsync(c.Request, Route(c, "pensionerId"), Route(c, "helperId"), c.RequestAborted)),
        [FunctionNames.RevokeFamilyHelper] = On<FamilyHelpersApi>((api, c) => api.RevokeAsync(c.Request, Route(c, "pensionerId"), Route(c, "helperId"), c.RequestAborted)),
        [FunctionNames.ListAssistedCertifications] = On<FamilyHelpersApi>((api, c) => api.ListAssistedAsync(c.Request, Route(c, "regionCode"), c.RequestAborted)),
    };

    /// <summary>The handler group types, registered as singletons by <see cref="HttpServiceCollectionExtensions"/>.</summary>
    public static IReadOnlyList<Type> Groups { get; } =
        [typeof(HealthApi), typeof(CertificationsApi), typeof(PensionersApi), typeof(ReviewApi), typeof(EvidenceApi), typeof(RegionsApi), typeof(CycleApi), typeof(CycleExceptionsApi), typeof(SessionsApi), typeof(PensionerHistoryApi), typeof(PensionerRecordsApi),
         typeof(OfflineCertificationsApi), typeof(HomeVisitsApi), typeof(FamilyHelpersApi)];

    private static Func<HttpContext, Task<IResult>> On<T>(Func<T, HttpContext, Task<IResult>> handler) where T : notnull =>
        context => handler(context.RequestServices.GetRequiredService<T>(), context);

    private static string Route(HttpContext context, string name) => context.GetRouteValue(name) as string ?? "";
}
