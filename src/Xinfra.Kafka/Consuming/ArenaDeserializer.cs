using Confluent.Kafka;

namespace Xinfra.Kafka.Consuming;

/// <summary>
/// Copies consumed keys and values into slices of shared 16 KiB chunks instead of one array each, saving an object
/// header per key and per value on the read path. A chunk lives as long as any record sliced from it; keys and values
/// over 2 KiB get their own arrays. Used by one fetch loop thread only.
/// </summary>
internal sealed class ArenaDeserializer : IDeserializer<ReadOnlyMemory<byte>?>
{
    private const int ChunkSize = 16 * 1024;
    private const int MaxSliced = 2 * 1024;

    private byte[] _chunk = new byte[ChunkSize];
    private int _used;

    /// <inheritdoc />
    public ReadOnlyMemory<byte>? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null;
        }

        if (data.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (data.Length > MaxSliced)
        {
            return data.ToArray();
        }

        if (_used + data.Length > _chunk.Length)
        {
            _chunk = new byte[ChunkSize];
            _used = 0;
        }

        data.CopyTo(_chunk.AsSpan(_used));
        var slice = new ReadOnlyMemory<byte>(_chunk, _used, data.Length);
        _used += data.Length;
        return slice;
    }
}
