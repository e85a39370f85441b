using System.ComponentModel.DataAnnotations;

namespace PensionCert.Http.Console;

/// <summary>
/// The operator console (section <c>PensionCert:Console</c>): how it signs operators in and where it finds the API.
/// In Azure the console signs in with OpenID Connect (authorization code + PKCE) against <see cref="Authority"/>;
/// the local host may instead offer a development sign-in (<see cref="DevelopmentSignIn"/>), never in production.
/// </summary>
public sealed class ConsoleOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:Console";

    /// <summary>
    /// The OpenID Connect issuer the console signs in against (e.g. <c>https://login.partner.microsoftonline.cn/{tenant}/v2.0</c>);
    /// empty = <c>PensionCert:OperatorAuth:Authority</c>, the issuer whose tokens the API accepts.
    /// </summary>
    [Url]
    public string? Authority { get; set; }

    /// <summary>The console's client id (a public client, SPA redirect <c>…/console/callback.html</c>) at the authority.</summary>
    public string? ClientId { get; set; }

    /// <summary>Scopes requested: OpenID plus the API's operator scope, e.g. <c>openid profile api://pensioncert-api/operator</c>.</summary>
    [Required]
    public string Scope { get; set; } = "openid profile";

    /// <summary>Base URL of the API as the browser sees it (default <c>/api</c>, same origin).</summary>
    [Required]
    public string ApiBaseUrl { get; set; } = "/api";

    /// <summary>
    /// Local host only: offer a development sign-in that mints an operator token for a chosen role and region with the
    /// development signing key. Refused at start-up unless the hosting environment is <c>Development</c> and operator
    /// tokens are signed with a local key (no <c>Authority</c>); the Functions app never serves it.
    /// </summary>
    public bool DevelopmentSignIn { get; set; }
}

/// <summary>Whether this host serves the development sign-in (set by the local host once its guards passed).</summary>
public sealed record ConsoleSignInMode(bool DevelopmentSignIn);
