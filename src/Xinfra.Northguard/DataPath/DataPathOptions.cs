using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.DataPath;

/// <summary>How a broker's data path runs.</summary>
public sealed record DataPathOptions
{
    /// <summary>The options used when none are given.</summary>
    public static DataPathOptions Default { get; } = new();

    /// <summary>The fps-store options. <value>The default is <see cref="FpsStoreOptions.Default"/>.</value></summary>
    public FpsStoreOptions Store { get; init; } = FpsStoreOptions.Default;

    /// <summary>
    /// Creates the storage device from the segment folder; null uses <see cref="FileStorageDevice"/>. Tests wrap it to
    /// block or fail fsyncs.
    /// </summary>
    public Func<string, IStorageDevice>? DeviceFactory { get; init; }

    /// <summary>How many appends a produce stream may have unacknowledged. <value>The default value is 256.</value></summary>
    public int ProduceWindow { get; init; } = 256;

    /// <summary>The largest record (key + value + headers) accepted. <value>The default value is 1 MiB.</value></summary>
    public int MaxRecordBytes { get; init; } = 1 << 20;

    /// <summary>
    /// A follower that has not made an append durable within this time is considered failed and the segment is sealed.
    /// <value>The default value is 10 seconds.</value>
    /// </summary>
    public TimeSpan ReplicaTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most bytes one consume batch carries. <value>The default value is 1 MiB.</value></summary>
    public int ConsumeBatchBytes { get; init; } = 1 << 20;

    /// <summary>
    /// How often the broker looks for sealed segments below their replication factor and copies those it is chosen to
    /// receive; <see cref="TimeSpan.Zero"/> disables re-replication. <value>The default value is 30 seconds.</value>
    /// </summary>
    public TimeSpan RereplicationInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the broker drops its copies of segments the metadata no longer keeps (deleted by retention, or of a
    /// deleted topic); <see cref="TimeSpan.Zero"/> disables it. <value>The default value is 30 seconds.</value>
    /// </summary>
    public TimeSpan ReclaimInterval { get; init; } = TimeSpan.FromSeconds(30);
}
