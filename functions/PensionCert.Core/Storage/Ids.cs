namespace PensionCert.Core.Storage;

/// <summary>
/// Opaque ids this service issues: a type letter ('p' pensioner, 'c' certification) followed by the 32 lower-case
/// hex digits of a random UUID (RFC 9562 version 4). They carry no personal data and are safe as Table keys,
/// blob names and URL segments.
/// <para>
/// A certification id names its pensioner's partition: <c>c</c>, 32 random hex digits, then the pensioner id's 32 hex
/// digits (65 characters; <see cref="CertificationIdFor"/>). Its record
/// is the row <c>certification-{id}</c> in the pensioner's partition, so the poll is one point read and the worker reads
/// the profile and the record in one partition query. Certifications accepted before this layout have 33-character ids
/// and keep their record in the Certifications table (read and written there until they age out; see
/// docs/performance.md, "Storage round trips per certification").
/// </para>
/// </summary>
public static class Ids
{
    /// <summary>Length of a pensioner id and of a certification id of the old layout (<c>c</c> + 32 hex).</summary>
    private const int ShortLength = 33;

    /// <summary>Length of a certification id that names its pensioner (<c>c</c> + 32 random hex + the pensioner's 32 hex).</summary>
    private const int PartitionedCertificationLength = 65;

    /// <summary>A new pensioner id, e.g. <c>p3f2c…</c> (33 characters).</summary>
    public static string NewPensionerId() => "p" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// A new certification id of the old layout, e.g. <c>c9ab1…</c> (33 characters): used when the pensioner is not known
    /// before the selfie is stored; <see cref="CertificationIdFor"/> makes one that names the pensioner from it.
    /// </summary>
    public static string NewCertificationId() => "c" + Guid.NewGuid().ToString("N");

    /// <summary>The certification id made of <paramref name="randomId"/> (a <see cref="NewCertificationId"/>) and <paramref name="pensionerId"/> (65 characters).</summary>
    public static string CertificationIdFor(string randomId, string pensionerId)
    {
        if (!IsWellFormed(randomId, 'c', ShortLength)) throw new ArgumentException("Not a 33-character certification id.", nameof(randomId));
        if (!IsPensionerId(pensionerId)) throw new ArgumentException("Not a pensioner id.", nameof(pensionerId));
        return randomId + pensionerId[1..];
    }

    /// <summary>The pensioner a certification id names (its record lives in that partition), or null for an old-layout id.</summary>
    public static string? PensionerIdOf(string certificationId) =>
        IsWellFormed(certificationId, 'c', PartitionedCertificationLength) ? "p" + certificationId[ShortLength..] : null;

    /// <summary>True when <paramref name="id"/> has the shape of a pensioner id.</summary>
    public static bool IsPensionerId(string? id) => IsWellFormed(id, 'p', ShortLength);

    /// <summary>True when <paramref name="id"/> has the shape of a certification id (either layout).</summary>
    public static bool IsCertificationId(string? id) =>
        IsWellFormed(id, 'c', ShortLength) || IsWellFormed(id, 'c', PartitionedCertificationLength);

    private static bool IsWellFormed(string? id, char prefix, int length) =>
        id is not null && id.Length == length && id[0] == prefix && !id.AsSpan(1).ContainsAnyExcept("0123456789abcdef");
}
