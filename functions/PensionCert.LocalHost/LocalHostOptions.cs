using System.ComponentModel.DataAnnotations;

namespace PensionCert.LocalHost;

/// <summary>Settings of the local host itself, section <c>PensionCert:LocalHost</c>; validated when the host is built.</summary>
public sealed class LocalHostOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "PensionCert:LocalHost";

    /// <summary>
    /// Seconds a whole request (body included) may take before it is answered 408 <c>request-timeout</c> (default 120),
    /// so stalled uploads release their memory.
    /// </summary>
    [Range(1, 3600)]
    public int RequestTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// Exit the process (code 75, which run.sh restarts) when a queue or timer listener fails for good (default true);
    /// in-process test hosts set false and stop the application instead.
    /// </summary>
    public bool ExitOnListenerFailure { get; set; } = true;

    /// <summary>
    /// Longest pause, in seconds, between two attempts to reach storage while the host waits for it at start-up (1-300,
    /// default 15); the pauses grow exponentially from 1 s with jitter (<see cref="StorageStartup"/>).
    /// </summary>
    [Range(1, 300)]
    public int StorageRetryMaxDelaySeconds { get; set; } = 15;

    /// <summary>
    /// Development walkthroughs only: the application's clock (certification dates, the cycle, home visits, retention)
    /// starts at this instant (ISO 8601, e.g. <c>2027-01-12T02:00:00Z</c>) when the host starts and runs forward from
    /// there. Unset (the default): the real clock. Token lifetimes, rate limits and the timers' schedules keep real
    /// time. Pair it with <c>run-cycle --date</c> to walk a certification year locally.
    /// </summary>
    public DateTimeOffset? ClockStart { get; set; }

    /// <summary>Binds and validates the section.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be read (e.g. text where a number is expected).</exception>
    /// <exception cref="ValidationException">A value is out of range; the message names the setting.</exception>
    public static LocalHostOptions From(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<LocalHostOptions>() ?? new LocalHostOptions();
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
            throw new ValidationException(string.Join("; ", errors.Select(e => $"{SectionName}:{string.Join(",", e.MemberNames)}: {e.ErrorMessage}")));
        return options;
    }
}
