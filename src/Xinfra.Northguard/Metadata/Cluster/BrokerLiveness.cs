namespace Xinfra.Northguard.Metadata.Cluster;

/// <summary>
/// Heartbeat-based liveness in logical ticks (no clock): a broker is live while its last heartbeat is less than
/// <see cref="TimeoutTicks"/> old. Each broker keeps its own view; it is not replicated.
/// </summary>
public sealed class BrokerLiveness(int timeoutTicks)
{
    private readonly Dictionary<ulong, long> _lastHeartbeat = [];

    /// <summary>How many ticks without a heartbeat make a broker dead.</summary>
    public int TimeoutTicks { get; } = timeoutTicks > 0 ? timeoutTicks : throw new ArgumentOutOfRangeException(nameof(timeoutTicks));

    /// <summary>The current tick.</summary>
    public long Now { get; private set; }

    /// <summary>Advances time by one tick.</summary>
    public void Tick() => Now++;

    /// <summary>Records a heartbeat from <paramref name="broker"/> now.</summary>
    public void Heartbeat(ulong broker) => _lastHeartbeat[broker] = Now;

    /// <summary>True while the broker's last heartbeat is recent enough.</summary>
    public bool IsLive(ulong broker) => _lastHeartbeat.TryGetValue(broker, out long at) && Now - at < TimeoutTicks;
}
