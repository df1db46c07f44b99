namespace Xinfra.Transport;

/// <summary>A serialized record on its way to a cluster.</summary>
/// <param name="Key">The key bytes, or null.</param>
/// <param name="Value">The value bytes, or null (a tombstone).</param>
/// <param name="Headers">The headers, in order.</param>
/// <param name="Timestamp">The record timestamp.</param>
public readonly record struct OutgoingRecord(
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<XinfraHeader> Headers,
    DateTimeOffset Timestamp)
{
    /// <summary>Key, value and header bytes: what counts against a record size limit.</summary>
    public int SizeInBytes
    {
        get
        {
            var size = (Key?.Length ?? 0) + (Value?.Length ?? 0);
            for (var i = 0; i < Headers.Count; i++)
            {
                size += Headers[i].Name.Length + Headers[i].Value.Length;
            }

            return size;
        }
    }
}

/// <summary>A record read from a cluster.</summary>
/// <param name="Cluster">The cluster it came from.</param>
/// <param name="Position">Its partition and offset.</param>
/// <param name="Key">The key bytes, or null.</param>
/// <param name="Value">The value bytes, or null.</param>
/// <param name="Headers">The headers, in order.</param>
/// <param name="Timestamp">The record timestamp.</param>
public sealed record IncomingRecord(
    string Cluster,
    TopicPartitionOffset Position,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<XinfraHeader> Headers,
    DateTimeOffset Timestamp);

/// <summary>Where a cluster stored a record.</summary>
/// <param name="Cluster">The cluster name.</param>
/// <param name="Position">The partition and offset it got.</param>
/// <param name="Timestamp">The timestamp the cluster stored.</param>
public readonly record struct TransportReceipt(string Cluster, TopicPartitionOffset Position, DateTimeOffset Timestamp);
