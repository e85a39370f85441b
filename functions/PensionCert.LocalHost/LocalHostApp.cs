using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PensionCert.Core.Definitions;
using PensionCert.Core.Errors;
using PensionCert.Hosting;
using PensionCert.Http;

namespace PensionCert.LocalHost;

/// <summary>
/// Builds the local host: every HTTP function of <see cref="HttpEndpoints.All"/> on ASP.NET Core, the queue and
/// timer triggers of <see cref="LocalTriggers"/> on the WebJobs SDK, configured from the same host.json.
/// </summary>
public static class LocalHostApp
{
    private delegate Task<IResult> Handler(PensionCertApi api, HttpContext context);

    /// <summary>The handler of each HTTP function, by function name; start-up fails if one is missing.</summary>
    private static readonly Dictionary<string, Handler> Handlers = new(StringComparer.Ordinal)
    {
        [FunctionNames.Health] = (api, c) => api.HealthAsync(c.Request, c.RequestAborted),
        [FunctionNames.EnrollPensioner] = (api, c) => api.EnrollAsync(c.Request, c.RequestAborted),
        [FunctionNames.GetEligibility] = (api, c) => api.GetEligibilityAsync(c.Request, RouteValue(c, "pensionerId"), c.RequestAborted),
        [FunctionNames.SubmitCertification] = (api, c) => api.SubmitCertificationAsync(c.Request, c.RequestAborted),
        [FunctionNames.GetCertification] = (api, c) => api.GetCertificationAsync(c.Request, RouteValue(c, "certificationId"), c.RequestAborted),
        [FunctionNames.ImportEvidence] = (api, c) => api.ImportEvidenceAsync(c.Request, c.RequestAborted),
        [FunctionNames.GetPaymentChanges] = (api, c) => api.GetPaymentChangesAsync(c.Request, RouteValue(c, "regionCode"), c.RequestAborted),
        [FunctionNames.ListRegionPensioners] = (api, c) => api.ListRegionPensionersAsync(c.Request, RouteValue(c, "regionCode"), c.RequestAborted),
        [FunctionNames.RecordInvestigationOutcome] = (api, c) => api.RecordInvestigationOutcomeAsync(c.Request, RouteValue(c, "pensionerId"), c.RequestAborted),
        [FunctionNames.ChangePensionerStatus] = (api, c) => api.ChangePensionerStatusAsync(c.Request, RouteValue(c, "pensionerId"), c.RequestAborted),
    };

    /// <summary>Builds the app. <paramref name="configure"/> lets tests override configuration before services are built.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var hostJson = HostJson.LoadDefault();

        builder.Services.AddPensionCert(builder.Configuration);
        builder.Host.ConfigureWebJobs(webJobs =>
        {
            webJobs.AddAzureStorageCoreServices();
            webJobs.AddAzureStorageQueues(hostJson.ApplyTo);
            webJobs.AddTimers();
        });
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Unexpected errors: a problem+json 500 without exception text (the exception is logged by ASP.NET Core).
            ExceptionHandler = context => new ProblemResult(ProblemTypes.InternalError).ExecuteAsync(context),
        });
        app.UseStatusCodePages(context =>
        {
            var problem = context.HttpContext.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ProblemTypes.NotFound,
                StatusCodes.Status405MethodNotAllowed => ProblemTypes.MethodNotAllowed,
                _ => null,
            };
            return problem is null ? Task.CompletedTask : new ProblemResult(problem).ExecuteAsync(context.HttpContext);
        });
        MapHttpFunctions(app, hostJson.RoutePrefix);
        return app;
    }

    /// <summary>Maps each endpoint of <see cref="HttpEndpoints.All"/> to its handler under the route prefix.</summary>
    private static void MapHttpFunctions(IEndpointRouteBuilder app, string routePrefix)
    {
        foreach (var endpoint in HttpEndpoints.All)
        {
            if (!Handlers.TryGetValue(endpoint.FunctionName, out var handler))
                throw new InvalidOperationException($"The local host has no handler for HTTP function {endpoint.FunctionName}.");
            app.MapMethods($"/{routePrefix}/{endpoint.Route}", [endpoint.Method], (HttpContext context, PensionCertApi api) => handler(api, context))
                .WithName(endpoint.FunctionName)
                .WithMetadata(endpoint);
        }
    }

    private static string RouteValue(HttpContext context, string name) => context.GetRouteValue(name) as string ?? "";
}
