using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Audit;
using PensionCert.Core.Errors;
using PensionCert.Core.Operators;
using PensionCert.Core.Storage;

namespace PensionCert.Http;

/// <summary>
/// The one request pipeline every handler group runs in: authenticates the caller for the endpoint (client key or
/// operator bearer token and role), applies the rate limits, runs the handler, maps problems to problem+json, and
/// writes one audit row for every operator call (allowed or not). Handlers only translate HTTP to a service call.
/// </summary>
public sealed partial class ApiPipeline(
    IOptions<ApiKeyOptions> keys,
    OperatorTokenValidator operatorTokens,
    ApiRateLimiter rateLimiter,
    IAuditLog audit,
    TimeProvider timeProvider,
    ILogger<ApiPipeline> logger)
{
    /// <summary>The audit detail of a machine identity (role integration) refused on a route meant for people.</summary>
    public const string IntegrationRefusedDetail = "refused: the integration machine identity may only import evidence";

    /// <summary>Runs a handler that needs nothing from the caller (see the overload with <see cref="ApiCaller"/>).</summary>
    internal Task<IResult> RunAsync(HttpRequest request, HttpEndpoint endpoint, Func<Task<IResult>> handler) =>
        RunAsync(request, endpoint, _ => handler());

    /// <summary>
    /// Authenticates the caller for <paramref name="endpoint"/>, runs the handler, maps problems to problem+json, and
    /// writes one audit row for every operator call (allowed or not).
    /// </summary>
    internal async Task<IResult> RunAsync(HttpRequest request, HttpEndpoint endpoint, Func<ApiCaller, Task<IResult>> handler)
    {
        var caller = new ApiCaller();
        IResult result;
        try
        {
            var refusal = await AuthorizeAsync(request, endpoint, caller);
            result = RateLimit(request, endpoint, caller, authorised: refusal is null) ?? refusal ?? await handler(caller);
        }
        catch (ProblemException ex)
        {
            result = new ProblemResult(ex.Problem, ex.Detail, ex.Reasons) { RetryAfter = ex.RetryAfter };
            // What the answer must not say (e.g. a pensioner outside the operator's regions) goes to the audit row only.
            if (ex.AuditPensionerId is { } audited)
            {
                caller.PensionerId ??= audited;
                if (endpoint.Access == ApiAccess.Operator) LogOutsideRegions(logger, endpoint.FunctionName, caller.Operator?.Subject ?? "anonymous", audited);
            }
            if (ex.AuditNote is { } note) caller.AuditDetail = note;
        }
        catch (StorageUnavailableException ex)
        {
            LogStorageUnavailable(logger, endpoint.FunctionName, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
            result = new ProblemResult(ProblemTypes.StorageUnavailable);
        }
        catch (ServiceNotReadyException)
        {
            LogNotReady(logger, endpoint.FunctionName);
            return new ProblemResult(ProblemTypes.ServiceNotReady);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            // Kestrel's minimum body data rate (a body trickling in) wherever a handler reads the body.
            result = new ProblemResult(ProblemTypes.RequestTimeout);
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The request timed out (the host's request timeout) or the client went away: nobody waits for more.
            return new ProblemResult(ProblemTypes.RequestTimeout);
        }
        if (endpoint.Access == ApiAccess.Operator && !IsUnauditedFlood(request, endpoint, caller, result)) await AuditAsync(request, endpoint, caller, result);
        return result;
    }

    /// <summary>
    /// An unauthenticated caller's 429 beyond the first of the minute from its address: not written to the audit
    /// table (one row a minute records the flood), so unauthenticated traffic cannot drive unbounded storage writes.
    /// </summary>
    private bool IsUnauditedFlood(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller, IResult result)
    {
        if (caller.Operator is not null || result is not ProblemResult { Problem.Kind: ProblemKind.TooManyRequests }) return false;
        if (rateLimiter.ShouldAuditAnonymousRefusal(request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown")) return false;
        LogUnauditedRefusal(logger, endpoint.FunctionName);
        return true;
    }

    /// <summary>
    /// Applies <see cref="ApiRateLimiter"/> after authentication: a matched client key counts for its client name, a
    /// validated operator for its subject, anything else for its remote address; the pensioner in the route counts only
    /// for an <paramref name="authorised"/> call. Returns 429 <c>rate-limited</c> with <c>Retry-After</c>, or null.
    /// </summary>
    private ProblemResult? RateLimit(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller, bool authorised)
    {
        if (!rateLimiter.Enabled) return null;
        var (identity, key) = caller switch
        {
            { Operator: { } op } => (RateLimitIdentity.Operator, op.Subject),
            { Client: { } client } => (RateLimitIdentity.Client, client.Name),
            _ => (RateLimitIdentity.Address, request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
        };
        var pensionerId = RoutePensionerId(request);
        var wait = rateLimiter.TryAcquire(identity, key, authorised && endpoint.Access != ApiAccess.Anonymous ? pensionerId : null);
        if (wait is null) return null;
        caller.PensionerId ??= pensionerId;
        return new ProblemResult(ProblemTypes.RateLimited) { RetryAfter = wait };
    }

    /// <summary>Returns a problem result when the caller may not call <paramref name="endpoint"/>; fills <paramref name="caller"/> otherwise.</summary>
    private async Task<IResult?> AuthorizeAsync(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller)
    {
        switch (endpoint.Access)
        {
            case ApiAccess.Anonymous:
            case ApiAccess.Session: // the session token is checked by CertificationSessionService
                return null;
            case ApiAccess.Operator:
                caller.Operator = await operatorTokens.ValidateAsync(request.Headers.Authorization.Count == 1 ? request.Headers.Authorization.ToString() : null, request.HttpContext.RequestAborted);
                if (caller.Operator is null)
                    return new ProblemResult(ProblemTypes.OperatorUnauthorized) { Challenge = OperatorTokenValidator.Challenge(request.Headers.Authorization) };
                if (!HttpEndpoint.Admits(endpoint, caller.Operator.Role))
                {
                    // The audit row names the role; a machine identity trying a person's route is said in so many words.
                    if (caller.Operator.Role == OperatorRole.Integration)
                    {
                        caller.AuditDetail = IntegrationRefusedDetail;
                        caller.PensionerId ??= RoutePensionerId(request); // the attempt is found on the pensioner it aimed at
                    }
                    return new ProblemResult(ProblemTypes.RoleNotAllowed);
                }
                return null;
            default:
                var options = keys.Value;
                if (!options.EnforceClientKeys) return null;
                caller.Client = options.Find(request.Headers[ApiKeyOptions.ClientKeyHeader].FirstOrDefault() ?? request.Query["code"].FirstOrDefault());
                return caller.Client is null ? new ProblemResult(ProblemTypes.Unauthorized) : null;
        }
    }

    /// <summary>The well-formed pensioner id in the route, if any.</summary>
    private static string? RoutePensionerId(HttpRequest request) =>
        request.RouteValues.TryGetValue("pensionerId", out var value) && value is string id && Ids.IsPensionerId(id) ? id : null;

    /// <summary>Appends the audit row of an operator call; a failure to write it is logged (ids only) and does not change the answer.</summary>
    private async Task AuditAsync(HttpRequest request, HttpEndpoint endpoint, ApiCaller caller, IResult result)
    {
        var status = result switch
        {
            ProblemResult p => ProblemResult.StatusCode(p.Problem.Kind),
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            _ => StatusCodes.Status200OK,
        };
        var entry = new AuditEntry(
            timeProvider.GetUtcNow(),
            caller.Operator?.Subject ?? "anonymous",
            caller.Operator?.Role.ToWireName() ?? "",
            endpoint.FunctionName,
            caller.PensionerId,
            status,
            (result as ProblemResult)?.Problem.Code,
            SourceOf(request),
            caller.AuditDetail);
        try
        {
            await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The action is already done: its answer stands. A missing table or role shows up here and in /api/health.
            LogAuditFailed(logger, endpoint.FunctionName, caller.PensionerId, ex.InnerException?.GetType().Name ?? ex.GetType().Name);
        }
    }

    /// <summary>The remote address as the host saw it, plus the first X-Forwarded-For hop when present (as sent: not trusted).</summary>
    private static string SourceOf(HttpRequest request)
    {
        var remote = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var forwarded = request.Headers["X-Forwarded-For"].FirstOrDefault()?.Split(',')[0].Trim();
        if (string.IsNullOrEmpty(forwarded)) return remote;
        return $"{remote} (x-forwarded-for {new string(forwarded.Take(45).Where(c => char.IsAsciiHexDigit(c) || c is '.' or ':').ToArray())})";
    }

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{Function}: unauthenticated request refused by the rate limit (audited once a minute per address)")]
    private static partial void LogUnauditedRefusal(ILogger logger, string function);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "{Function} refused: a required component is not ready (see /api/health)")]
    private static partial void LogNotReady(ILogger logger, string function);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Storage unavailable during {Function} ({ErrorType})")]
    private static partial void LogStorageUnavailable(ILogger logger, string function, string errorType);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "{Function}: operator {Operator} asked about pensioner {PensionerId} outside their regions; answered 404 pensioner-not-found")]
    private static partial void LogOutsideRegions(ILogger logger, string function, string @operator, string pensionerId);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Audit row for {Function} on pensioner {PensionerId} could not be written ({ErrorType})")]
    private static partial void LogAuditFailed(ILogger logger, string function, string? pensionerId, string errorType);
}

/// <summary>What a handler knows about its caller, and what it reports for the audit row.</summary>
internal sealed class ApiCaller
{
    /// <summary>The validated operator (operator endpoints).</summary>
    public OperatorPrincipal? Operator { get; set; }

    /// <summary>The client whose key was presented (client endpoints, when the app checks keys).</summary>
    public ClientKey? Client { get; set; }

    /// <summary>The pensioner acted on, for the audit row (a well-formed pensioner id only).</summary>
    public string? PensionerId { get; set; }

    /// <summary>A short non-personal note for the audit row.</summary>
    public string? AuditDetail { get; set; }
}
