using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Core.Sessions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>
/// Certification sessions: the channel's server (Functions key) creates and reads sessions; the phone page calls the
/// page routes with its session token (Anonymous here; the app checks the token). The page itself is a static site.
/// </summary>
public sealed class SessionFunctions(SessionsApi api, CertificationSessionService sessions)
{
    [Function(FunctionNames.CreateCertificationSession)]
    public async Task<IActionResult> CreateCertificationSession(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.CertificationSessions)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.CreateCertificationSessionAsync(request, cancellationToken));

    [Function(FunctionNames.GetCertificationSession)]
    public async Task<IActionResult> GetCertificationSession(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.CertificationSession)] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetCertificationSessionAsync(request, sessionId, cancellationToken));

    [Function(FunctionNames.GetPageSession)]
    public async Task<IActionResult> GetPageSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.PageSession)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetPageSessionAsync(request, cancellationToken));

    [Function(FunctionNames.UploadSessionFrames)]
    public async Task<IActionResult> UploadSessionFrames(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PageSessionFrames)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.UploadSessionFramesAsync(request, cancellationToken));

    [Function(FunctionNames.SubmitSession)]
    public async Task<IActionResult> SubmitSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.PageSessionSubmit)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.SubmitSessionAsync(request, cancellationToken));

    [Function(FunctionNames.PurgeExpiredSessions)]
    public Task PurgeExpiredSessions([TimerTrigger(Schedules.PurgeExpiredSessions, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        sessions.PurgeExpiredAsync(cancellationToken);
}
