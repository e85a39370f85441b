using System.Buffers.Text;
using System.Text;
using PensionCert.Core.Errors;

namespace PensionCert.Infrastructure;

/// <summary>
/// The API continuation tokens of region-scoped lists (region pensioners, home visits): base64url of
/// "{regionPrefix}|{nextPartitionKey} {nextRowKey}". A token is accepted only when it decodes, has that shape and was
/// issued for the same region prefix: a made-up token, or one from another region's list, is a 400
/// <c>invalid-continuation-token</c> rather than a silently different (or empty) page.
/// </summary>
internal static class RegionContinuationTokens
{
    /// <summary>The API token for the Table service token <paramref name="tableToken"/> (null on the last page).</summary>
    public static string? Issue(string regionPrefix, string? tableToken) =>
        tableToken is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(regionPrefix + "|" + tableToken));

    /// <summary>The Table service token inside <paramref name="token"/>, issued for <paramref name="regionPrefix"/>.</summary>
    /// <exception cref="ProblemException">invalid-continuation-token.</exception>
    public static string Read(string token, string regionPrefix)
    {
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ProblemException(ProblemTypes.InvalidContinuationToken);
        }
        var separator = decoded.IndexOf('|', StringComparison.Ordinal);
        var tableToken = separator < 0 ? "" : decoded[(separator + 1)..];
        var keys = tableToken.Split(' ');
        if (separator < 0 || decoded[..separator] != regionPrefix || keys.Length != 2 || keys[0].Length == 0 || keys[1].Length == 0)
            throw new ProblemException(ProblemTypes.InvalidContinuationToken);
        return tableToken;
    }
}
