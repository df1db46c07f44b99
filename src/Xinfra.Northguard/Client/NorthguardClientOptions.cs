namespace Xinfra.Northguard.Client;

/// <summary>How <see cref="NorthguardProducerClient"/> and <see cref="NorthguardConsumerClient"/> reach a cluster and batch.</summary>
public sealed record NorthguardClientOptions
{
    /// <summary>Broker endpoints (<c>http://host:port</c> or <c>host:port</c>) to bootstrap from. Required.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>The producer id that makes retries idempotent; 0 picks a random one. <value>The default value is 0.</value></summary>
    public ulong ProducerId { get; init; }

    /// <summary>A batch is sent once it holds this many bytes. <value>The default value is 256 KiB.</value></summary>
    public int BatchMaxBytes { get; init; } = 256 << 10;

    /// <summary>
    /// How long a batch waits for more records before it is sent while earlier batches of its range are still
    /// unacknowledged; when none is, a record leaves at once, and an ack that empties the pipe sends the waiting batch.
    /// <value>The default value is 2 ms.</value>
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Records larger than this (key + value + headers) are refused before sending. <value>The default value is 1 MiB.</value></summary>
    public int MaxRecordBytes { get; init; } = 1 << 20;

    /// <summary>Records a consume stream may have unread. <value>The default value is 4096.</value></summary>
    public int ConsumeCreditRecords { get; init; } = 4096;

    /// <summary>Bytes a consume stream may have unread. <value>The default value is 8 MiB.</value></summary>
    public long ConsumeCreditBytes { get; init; } = 8 << 20;

    /// <summary>The pause before reconnecting after a broker failure. <value>The default value is 50 ms.</value></summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Consecutive failed connections before pending records fail. <value>The default value is 100.</value></summary>
    public int MaxRetries { get; init; } = 100;

    /// <summary>TLS trust, client certificate and application token; null (the default) is plaintext with no token.</summary>
    public Security.NorthguardClientSecurity? Security { get; init; }

    /// <summary>The clock used for linger and retry delays. <value>The default is the system clock.</value></summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
