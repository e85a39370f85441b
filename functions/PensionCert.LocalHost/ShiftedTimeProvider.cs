namespace PensionCert.LocalHost;

/// <summary>The system clock moved by a fixed offset (<see cref="LocalHostOptions.ClockStart"/>, development walkthroughs).</summary>
public sealed class ShiftedTimeProvider(TimeSpan offset) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}
