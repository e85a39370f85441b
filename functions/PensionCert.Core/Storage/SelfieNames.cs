using System.Globalization;
using PensionCert.Core.Cycle;

namespace PensionCert.Core.Storage;

/// <summary>
/// Blob names of selfies (probe images): <c>{yyyy}/{MM}/{dd}/{HHmm}/{certificationId}</c>, the China date and minute the
/// photo was stored. The name is an index by time that costs no request of its own: the stale sweep lists the minutes
/// that have just become stale and the retention purge lists the days past retention, instead of a row per
/// certification in an in-flight table and a retention table. Selfies stored before this layout are named by the
/// certification id alone (<see cref="IsDated"/> false); the in-flight and retention tables still serve those.
/// Invariant: a dated name ends in the certification id exactly as issued to the client, because the sweep and the
/// purge read the record by that id (and delete a selfie whose record does not exist).
/// </summary>
public static class SelfieNames
{
    private const string MinuteFormat = "yyyy'/'MM'/'dd'/'HHmm";

    /// <summary>The blob name of <paramref name="certificationId"/>'s selfie stored at <paramref name="storedAt"/>.</summary>
    public static string For(DateTimeOffset storedAt, string certificationId) => MinutePrefix(storedAt) + certificationId;

    /// <summary>The prefix of every selfie stored in the China minute of <paramref name="instant"/>, ending in <c>/</c>.</summary>
    public static string MinutePrefix(DateTimeOffset instant) =>
        instant.ToOffset(ChinaTime.UtcOffset).ToString(MinuteFormat, CultureInfo.InvariantCulture) + "/";

    /// <summary>The prefix of every selfie stored on China date <paramref name="day"/>, ending in <c>/</c>.</summary>
    public static string DayPrefix(DateOnly day) => day.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture) + "/";

    /// <summary>The start (UTC) of the minute <paramref name="instant"/> falls in.</summary>
    public static DateTimeOffset MinuteStart(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    /// <summary>True for a dated name (this layout); false for a selfie named by its certification id alone.</summary>
    public static bool IsDated(string blobName) => blobName.Contains('/', StringComparison.Ordinal);

    /// <summary>The certification id a dated name ends in (the whole name for an undated one).</summary>
    public static string CertificationIdOf(string blobName) => blobName[(blobName.LastIndexOf('/') + 1)..];

    /// <summary>The China date of a dated name's day prefix (<c>yyyy/MM/dd/</c>), if it is one.</summary>
    public static bool TryParseDay(string prefix, out DateOnly day) =>
        DateOnly.TryParseExact(prefix.TrimEnd('/'), "yyyy'/'MM'/'dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
