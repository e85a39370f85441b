using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PensionCert.Core.Definitions;
using PensionCert.Core.Errors;
using PensionCert.Hosting;
using PensionCert.Http;
using PensionCert.Http.Console;

namespace PensionCert.LocalHost;

/// <summary>
/// Builds the local host: every HTTP function of <see cref="HttpEndpoints.All"/> on ASP.NET Core, the queue and
/// timer triggers of <see cref="LocalTriggers"/> on the WebJobs SDK, configured from the same host.json.
/// </summary>
public static class LocalHostApp
{
    /// <summary>Builds the app. <paramref name="configure"/> lets tests override configuration before services are built.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var hostJson = HostJson.LoadDefault(builder.Configuration);

        // The local host enforces the API's rate limits (RateLimitOptions); before binding, so a setting can still turn them off.
        builder.Services.Configure<RateLimitOptions>(o => o.Enabled = true);
        builder.Services.AddPensionCert(builder.Configuration);
        LocalTelemetry.Add(builder, hostJson.RoutePrefix);
        var developmentSignIn = DevelopmentSignIn.Configure(builder);
        builder.Host.ConfigureWebJobs(webJobs =>
        {
            webJobs.AddAzureStorageCoreServices();
            webJobs.AddAzureStorageQueues(hostJson.ApplyTo);
            webJobs.AddTimers();
        });
        // Storage may still be down at start-up: the API serves at once, the triggers start when storage answers.
        StorageStartup.Register(builder.Services);
        builder.Services.AddSingleton<Microsoft.Azure.WebJobs.Host.Timers.IWebJobsExceptionHandlerFactory, StopOnListenerFailure>();
        // host.json functionTimeout, enforced on every queue and timer trigger as the Functions host does.
        var functionTimeout = hostJson.FunctionTimeout;
        builder.Services.AddSingleton(sp => new FunctionTimeout(functionTimeout, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FunctionTimeout>>()));
        builder.Services.AddProblemDetails();
        // Ctrl-C should not wait on long listener shutdowns (run.sh gives the host 4 s); unfinished queue work is redelivered.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(3));
        ConfigureKestrel(builder);
        // A whole request (body included) must arrive within this time, so stalled uploads release their memory;
        // Kestrel's minimum data rate alone lets a front-loaded body stall for hours.
        var localHost = LocalHostOptions.From(builder.Configuration);
        builder.Services.AddSingleton(localHost);
        if (localHost.ClockStart is { } clockStart)
            builder.Services.AddSingleton<TimeProvider>(new ShiftedTimeProvider(clockStart - TimeProvider.System.GetUtcNow()));
        var requestTimeout = TimeSpan.FromSeconds(localHost.RequestTimeoutSeconds);
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutPolicy
        {
            Timeout = requestTimeout,
            WriteTimeoutResponse = context => new ProblemResult(ProblemTypes.RequestTimeout).ExecuteAsync(context),
        });

        var app = builder.Build();
        app.UseMiddleware<RequestSizeLimits>();
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
        app.UseRouting();
        app.UseRequestTimeouts();
        MapHttpFunctions(app, hostJson.RoutePrefix);
        MapConsole(app, hostJson.RoutePrefix);
        MapPhonePage(app, hostJson.RoutePrefix);
        if (developmentSignIn) DevelopmentSignIn.Map(app);
        return app;
    }

    /// <summary>
    /// Hostile-client limits of Kestrel: bodies over the photo cap (base64-inflated, plus form overhead) end with 413
    /// before they are read; a body trickling slower than 240 bytes/s after a 5 s grace, or headers not complete within
    /// 15 s, end the request (the Functions front end applies its own limits in Azure: 100 MB body, 230 s timeout).
    /// The request-line and header limits are set to twice <see cref="RequestSizeLimits"/>' so that the app, not Kestrel
    /// (which answers with an empty body before any middleware runs), refuses an over-long target or oversized headers
    /// with problem+json; only requests beyond Kestrel's own ceilings get Kestrel's bare 414/431.
    /// </summary>
    private static void ConfigureKestrel(WebApplicationBuilder builder)
    {
        var maxPhoto = builder.Configuration.GetValue<long?>($"{Core.Certification.CertificationOptions.SectionName}:MaxPhotoBytes") ?? 10L * 1024 * 1024;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = PhotoRequestReader.MaxBodyBytes(maxPhoto);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.MaxRequestLineSize = RequestSizeLimits.KestrelMaxRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestSizeLimits.KestrelMaxHeadersTotalBytes;
            kestrel.Limits.MaxRequestHeaderCount = RequestSizeLimits.KestrelMaxHeaderCount;
        });
    }

    /// <summary>Maps each endpoint of <see cref="HttpEndpoints.All"/> to its handler (<see cref="HttpHandlers"/>) under the route prefix.</summary>
    private static void MapHttpFunctions(IEndpointRouteBuilder app, string routePrefix)
    {
        foreach (var endpoint in HttpEndpoints.All)
        {
            if (!HttpHandlers.ByFunctionName.TryGetValue(endpoint.FunctionName, out var handler))
                throw new InvalidOperationException($"The local host has no handler for HTTP function {endpoint.FunctionName}.");
            app.MapMethods($"/{routePrefix}/{endpoint.Route}", [endpoint.Method], handler)
                .WithName(endpoint.FunctionName)
                .WithMetadata(endpoint);
        }
    }

    /// <summary>
    /// The operator console (<see cref="ConsoleSite"/>): at <c>/console/</c>, the address operators use, and under the
    /// route prefix like the Functions app's <c>ConsoleFiles</c> function. Outside the API: no rate limit, no audit row.
    /// </summary>
    private static void MapConsole(IEndpointRouteBuilder app, string routePrefix)
    {
        static IResult Serve(HttpContext context, ConsoleSite site) => site.Serve(context, RouteValue(context, "path"));
        app.MapGet($"/{routePrefix}/{Routes.ConsoleFiles}", Serve).WithName(FunctionNames.ConsoleFiles).WithMetadata(ConsoleSite.Endpoint);
        app.MapGet($"/{Routes.ConsoleFiles}", Serve);
    }

    /// <summary>
    /// The pensioner's phone page (<see cref="PhonePageSite"/>): under the route prefix like the Functions app's
    /// <c>PhonePageFiles</c> function, and at <c>/h5/</c>, the address session page URLs use locally.
    /// </summary>
    private static void MapPhonePage(IEndpointRouteBuilder app, string routePrefix)
    {
        static IResult Serve(HttpContext context, PhonePageSite site) => site.Serve(context, RouteValue(context, "path"));
        app.MapGet($"/{routePrefix}/{Routes.PhonePageFiles}", Serve).WithName(FunctionNames.PhonePageFiles).WithMetadata(PhonePageSite.Endpoint);
        app.MapGet($"/{Routes.PhonePageFiles}", Serve);
    }

    private static string RouteValue(HttpContext context, string name) => context.GetRouteValue(name) as string ?? "";
}
