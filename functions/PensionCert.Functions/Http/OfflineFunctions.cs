using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="OfflineCertificationsApi"/> (operator routes: Anonymous here, the app checks the bearer token).</summary>
public sealed class OfflineCertificationFunctions(OfflineCertificationsApi api)
{
    [Function(FunctionNames.SubmitOfflineCertification)]
    public async Task<IActionResult> SubmitOfflineCertification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.OfflineCertifications)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.SubmitAsync(request, cancellationToken));

    [Function(FunctionNames.GetOfflineCertification)]
    public async Task<IActionResult> GetOfflineCertification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OfflineCertification)] HttpRequest request, string certificationId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetAsync(request, certificationId, cancellationToken));
}

/// <summary>HTTP triggers of <see cref="HomeVisitsApi"/>: client routes use Functions keys, operator routes are Anonymous here (the app checks the token).</summary>
public sealed class HomeVisitFunctions(HomeVisitsApi api)
{
    [Function(FunctionNames.RequestHomeVisit)]
    public async Task<IActionResult> RequestHomeVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.HomeVisits)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RequestAsync(request, cancellationToken));

    [Function(FunctionNames.RequestHomeVisitFromPage)]
    public async Task<IActionResult> RequestHomeVisitFromPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PageSessionHomeVisit)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RequestFromPageAsync(request, cancellationToken));

    [Function(FunctionNames.ListHomeVisits)]
    public async Task<IActionResult> ListHomeVisits(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.HomeVisits)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListAsync(request, cancellationToken));

    [Function(FunctionNames.GetHomeVisit)]
    public async Task<IActionResult> GetHomeVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.HomeVisit)] HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetAsync(request, visitId, cancellationToken));

    [Function(FunctionNames.ScheduleHomeVisit)]
    public async Task<IActionResult> ScheduleHomeVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.HomeVisitSchedule)] HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ScheduleAsync(request, visitId, cancellationToken));

    [Function(FunctionNames.CompleteHomeVisit)]
    public async Task<IActionResult> CompleteHomeVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.HomeVisitComplete)] HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.CompleteAsync(request, visitId, cancellationToken));

    [Function(FunctionNames.CancelHomeVisit)]
    public async Task<IActionResult> CancelHomeVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.HomeVisitCancel)] HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.CancelAsync(request, visitId, cancellationToken));

    [Function(FunctionNames.RecordUnsuccessfulHomeVisit)]
    public async Task<IActionResult> RecordUnsuccessfulHomeVisit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.HomeVisitUnsuccessful)] HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.MarkUnsuccessfulAsync(request, visitId, cancellationToken));

    [Function(FunctionNames.RequestHomeVisitByClient)]
    public async Task<IActionResult> RequestHomeVisitByClient(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.HomeVisitRequests)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RequestByClientAsync(request, cancellationToken));

    [Function(FunctionNames.GetHomeVisitRequest)]
    public async Task<IActionResult> GetHomeVisitRequest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.HomeVisitRequest)] HttpRequest request, string visitId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetRequestAsync(request, visitId, cancellationToken));
}

/// <summary>HTTP triggers of <see cref="FamilyHelpersApi"/>.</summary>
public sealed class FamilyHelperFunctions(FamilyHelpersApi api)
{
    [Function(FunctionNames.RequestFamilyHelper)]
    public async Task<IActionResult> RequestFamilyHelper(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.FamilyHelperRequests)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RequestAsync(request, cancellationToken));

    [Function(FunctionNames.ListFamilyHelpers)]
    public async Task<IActionResult> ListFamilyHelpers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PensionerFamilyHelpers)] HttpRequest request, string pensionerId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListAsync(request, pensionerId, cancellationToken));

    [Function(FunctionNames.ApproveFamilyHelper)]
    public async Task<IActionResult> ApproveFamilyHelper(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.FamilyHelperApprove)] HttpRequest request, string pensionerId, string helperId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ApproveAsync(request, pensionerId, helperId, cancellationToken));

    [Function(FunctionNames.RevokeFamilyHelper)]
    public async Task<IActionResult> RevokeFamilyHelper(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.FamilyHelperRevoke)] HttpRequest request, string pensionerId, string helperId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.RevokeAsync(request, pensionerId, helperId, cancellationToken));

    [Function(FunctionNames.ListAssistedCertifications)]
    public async Task<IActionResult> ListAssistedCertifications(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.RegionAssistedCertifications)] HttpRequest request, string regionCode, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.ListAssistedAsync(request, regionCode, cancellationToken));
}
