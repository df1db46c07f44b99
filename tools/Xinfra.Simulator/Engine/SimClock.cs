namespace Xinfra.Simulator.Engine;

/// <summary>
/// One broker's or client's view of time: the loop's simulated time, plus a wall-clock offset that clock-jump faults
/// move. Timestamps (elapsed time) stay monotonic; only <see cref="GetUtcNow"/> jumps, as with NTP steps.
/// </summary>
internal sealed class SimClock(SimLoop loop) : TimeProvider
{
    /// <summary>2026-01-01T00:00:00Z: the wall-clock time at the start of every run.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The wall-clock offset in ticks (moved by clock jumps).</summary>
    public long Skew { get; set; }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(loop.Now + Skew);

    /// <inheritdoc />
    public override long GetTimestamp() => loop.Now;

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new NotSupportedException("Simulated code waits with SimLoop.Delay, never with timers.");
}
