namespace Xinfra;

/// <summary>When a dual-written record counts as delivered.</summary>
public enum DualWriteAckPolicy
{
    /// <summary>Only when both clusters acknowledged it. The default.</summary>
    Both = 0,

    /// <summary>When the primary (read) side acknowledged it; the other side is replayed from a durable outbox.</summary>
    Primary = 1,
}
