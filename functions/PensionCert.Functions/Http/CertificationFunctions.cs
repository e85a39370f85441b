using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PensionCert.Core.Definitions;
using PensionCert.Http;

namespace PensionCert.Functions.Http;

/// <summary>HTTP triggers of <see cref="CertificationsApi"/> (client routes: Functions keys, AuthorizationLevel.Function).</summary>
public sealed class CertificationFunctions(CertificationsApi api)
{
    [Function(FunctionNames.SubmitCertification)]
    public async Task<IActionResult> SubmitCertification(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.Certifications)] HttpRequest request, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.SubmitCertificationAsync(request, cancellationToken));

    [Function(FunctionNames.GetCertification)]
    public async Task<IActionResult> GetCertification(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.Certification)] HttpRequest request, string certificationId, CancellationToken cancellationToken) =>
        new ApiActionResult(await api.GetCertificationAsync(request, certificationId, cancellationToken));
}
