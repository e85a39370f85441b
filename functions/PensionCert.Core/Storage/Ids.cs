namespace PensionCert.Core.Storage;

/// <summary>
/// Opaque ids this service issues: a type letter ('p' pensioner, 'c' certification) followed by the 32 lower-case
/// hex digits of a random UUID (RFC 9562 version 4). They carry no personal data and are safe as Table keys,
/// blob names and URL segments.
/// </summary>
public static class Ids
{
    /// <summary>A new pensioner id, e.g. <c>p3f2c…</c> (33 characters).</summary>
    public static string NewPensionerId() => "p" + Guid.NewGuid().ToString("N");

    /// <summary>A new certification id, e.g. <c>c9ab1…</c> (33 characters).</summary>
    public static string NewCertificationId() => "c" + Guid.NewGuid().ToString("N");

    /// <summary>True when <paramref name="id"/> has the shape of a pensioner id.</summary>
    public static bool IsPensionerId(string? id) => IsWellFormed(id, 'p');

    /// <summary>True when <paramref name="id"/> has the shape of a certification id.</summary>
    public static bool IsCertificationId(string? id) => IsWellFormed(id, 'c');

    private static bool IsWellFormed(string? id, char prefix) =>
        id is { Length: 33 } && id[0] == prefix && !id.AsSpan(1).ContainsAnyExcept("0123456789abcdef");
}
