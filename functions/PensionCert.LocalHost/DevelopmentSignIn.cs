using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PensionCert.Core.Errors;
using PensionCert.Core.Identity;
using PensionCert.Core.Operators;
using PensionCert.Http;
using PensionCert.Http.Console;

namespace PensionCert.LocalHost;

/// <summary>
/// The console's development sign-in (local host only): <c>POST /console/dev-sign-in</c> with a role and regions
/// mints an operator token signed with the development key, as <c>mint-token</c> does. It exists only when
/// <c>PensionCert:Console:DevelopmentSignIn</c> is true, and start-up refuses that setting unless the hosting
/// environment is Development and operator tokens are signed with a local key (no OpenID authority); requests from
/// anywhere but the loopback interface are refused. The Functions app has no such endpoint at all. It mints only the
/// roles a person holds (clerk, reviewer, admin), never <see cref="OperatorRole.Integration"/> (a machine identity).
/// </summary>
internal static partial class DevelopmentSignIn
{
    /// <summary>The path of the endpoint (beside the console's files).</summary>
    public const string Path = ConsoleSite.DevelopmentSignInPath;

    /// <summary>Lifetime of a development token.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    private static readonly ProblemType Invalid = new("development-sign-in-invalid", ProblemKind.BadRequest,
        "role must be clerk, reviewer or admin and regions one to five six-digit region codes", "请选择岗位，并填写 1 至 5 个 6 位行政区划代码。");
    private static readonly ProblemType NotLocal = new("development-sign-in-local-only", ProblemKind.Forbidden,
        "The development sign-in answers only on the loopback interface", "开发登录仅限本机使用。");

    /// <summary>
    /// Checks the guards and registers <see cref="ConsoleSignInMode"/>; true when the endpoint is to be mapped.
    /// </summary>
    /// <exception cref="ValidationException">The setting is on outside Development or with an OpenID authority.</exception>
    public static bool Configure(WebApplicationBuilder builder)
    {
        var console = builder.Configuration.GetSection(ConsoleOptions.SectionName).Get<ConsoleOptions>() ?? new ConsoleOptions();
        if (!console.DevelopmentSignIn) return false;
        if (!builder.Environment.IsDevelopment())
            throw new ValidationException($"{ConsoleOptions.SectionName}:DevelopmentSignIn: allowed only when the hosting environment is Development (it is {builder.Environment.EnvironmentName}).");
        var auth = builder.Configuration.GetSection(OperatorAuthOptions.SectionName).Get<OperatorAuthOptions>() ?? new OperatorAuthOptions();
        if (!string.IsNullOrEmpty(auth.Authority) || auth.DecodeSigningKey() is null)
            throw new ValidationException($"{ConsoleOptions.SectionName}:DevelopmentSignIn: needs operator tokens signed with a local key ({OperatorAuthOptions.SectionName}:SigningKey) and no Authority.");
        builder.Services.AddSingleton(new ConsoleSignInMode(DevelopmentSignIn: true));
        return true;
    }

    /// <summary>Maps the endpoint.</summary>
    public static void Map(WebApplication app) =>
        app.MapPost(Path, (HttpContext context, IOptions<OperatorAuthOptions> auth, ILoggerFactory loggers) => SignInAsync(context, auth.Value, loggers.CreateLogger(typeof(DevelopmentSignIn).FullName!)));

    private static async Task<IResult> SignInAsync(HttpContext context, OperatorAuthOptions auth, ILogger logger)
    {
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote)) return new ProblemResult(NotLocal);
        Request? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<Request>(context.Request.Body, ApiJson.StrictRequestOptions, context.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return new ProblemResult(ProblemTypes.MalformedRequest);
        }
        // A person never gets the machine identity (integration, the evidence import): the console refuses it like an unknown role.
        if (body is null || !OperatorRoles.TryParse(body.Role, out var role) || role == OperatorRole.Integration || body.Regions is not { Length: >= 1 and <= 5 } regions
            || regions.Any(r => !AdministrativeRegionCode.TryParse(r, out _)))
            return new ProblemResult(Invalid);
        // An opaque staff id; never a person's name. Two operators of one role and region sign in with different ids.
        var subject = string.IsNullOrWhiteSpace(body.OperatorId) ? $"dev-{role.ToWireName()}-{regions[0]}" : body.OperatorId.Trim();
        if (subject.Length > 64 || !subject.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return new ProblemResult(Invalid);
        // Real time, not the application's clock: tokens are validated against the system clock, so under
        // PensionCert:LocalHost:ClockStart (a walkthrough years ahead) a token minted on the shifted clock was refused.
        var now = TimeProvider.System.GetUtcNow();
        var token = OperatorTokenIssuer.Mint(auth, subject, role, regions, TokenLifetime, now);
        LogMinted(logger, role.ToWireName(), regions.Length);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new Response(token, now.Add(TokenLifetime), subject, role.ToWireName(), regions), ApiJson.Options);
    }

    private sealed record Request(string? Role, string[]? Regions, string? OperatorId);

    private sealed record Response(string AccessToken, DateTimeOffset ExpiresAt, string OperatorId, string Role, IReadOnlyList<string> Regions);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Development sign-in: an operator token was minted for role {Role} and {RegionCount} region(s)")]
    private static partial void LogMinted(ILogger logger, string role, int regionCount);
}
