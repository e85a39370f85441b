using System.Globalization;
using PensionCert.Core.Cycle;

namespace PensionCert.IntegrationTests;

/// <summary>
/// For tests on the system clock whose expectations hold within one China calendar day (daily attempt limits, "today"
/// in evidence dates): started within <see cref="Margin"/> of midnight China time, they wait until the new day has
/// begun instead of failing when the run crosses it.
/// </summary>
internal static class ChinaMidnight
{
    /// <summary>Longer than any such test takes (each runs well under a minute).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(3);

    /// <summary>Today's China date as yyyy-MM-dd, at least <see cref="Margin"/> before the next midnight.</summary>
    public static string Today()
    {
        WaitIfNear();
        return ChinaTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    /// <summary>Blocks until the next China midnight has passed when it is less than <see cref="Margin"/> away.</summary>
    public static void WaitIfNear()
    {
        var chinaNow = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var untilMidnight = new DateTimeOffset(chinaNow.Date.AddDays(1), chinaNow.Offset) - chinaNow;
        if (untilMidnight < Margin) Thread.Sleep(untilMidnight + TimeSpan.FromSeconds(2));
    }
}
