using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Xinfra.Northguard.Storage.Format;

/// <summary>
/// Encodes records one by one into a pooled buffer in the store's batch format (base offset 0), so a producer can
/// send a batch that every replica stores as it is. The first record may carry a reserved 16-byte header as its last
/// header, filled in by <see cref="Complete"/>. Not thread-safe; <see cref="Dispose"/> returns the buffer.
/// </summary>
internal sealed class BatchBuilder : IDisposable
{
    private const int InitialCapacity = 4096;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialCapacity);
    private int _length = BatchHeader.Size;
    private int _reservedAt = -1;
    private long _min = long.MaxValue;
    private long _max = long.MinValue;

    /// <summary>Records added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Encoded bytes so far (header included).</summary>
    public int Length => _length;

    /// <summary>The encoded batch; valid after <see cref="Complete"/> until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Encoded => _buffer.AsMemory(0, _length);

    /// <summary>
    /// Adds a record. For the first record, <paramref name="reservedHeader"/> (when not null) is appended after its
    /// headers with a 16-byte value that <see cref="Complete"/> writes.
    /// </summary>
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, IReadOnlyList<RecordHeader>? headers, long timestamp, string? reservedHeader = null)
    {
        bool reserve = Count == 0 && reservedHeader is not null;
        int headerCount = (headers?.Count ?? 0) + (reserve ? 1 : 0);
        long size = 8 + 4 + key.Length + 4 + value.Length + 4;
        for (int i = 0; i < (headers?.Count ?? 0); i++)
        {
            int name = Encoding.UTF8.GetByteCount(headers![i].Name);
            if (name > ushort.MaxValue)
            {
                throw new ArgumentException($"Header name is {name} bytes; the limit is {ushort.MaxValue}.", nameof(headers));
            }

            size += 2 + name + 4 + headers[i].Value.Length;
        }

        if (reserve)
        {
            size += 2 + Encoding.UTF8.GetByteCount(reservedHeader!) + 4 + 16;
        }

        Ensure(size);
        var span = _buffer.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span[_length..], timestamp);
        _length = WriteBytes(span, _length + 8, key);
        _length = WriteBytes(span, _length, value);
        BinaryPrimitives.WriteInt32LittleEndian(span[_length..], headerCount);
        _length += 4;
        for (int i = 0; i < (headers?.Count ?? 0); i++)
        {
            WriteHeaderName(span, headers![i].Name);
            _length = WriteBytes(span, _length, headers[i].Value.Span);
        }

        if (reserve)
        {
            WriteHeaderName(span, reservedHeader!);
            BinaryPrimitives.WriteInt32LittleEndian(span[_length..], 16);
            _reservedAt = _length + 4;
            _length += 4 + 16;
        }

        _min = Math.Min(_min, timestamp);
        _max = Math.Max(_max, timestamp);
        Count++;
    }

    /// <summary>Writes the reserved header value (if any) and the batch header with its CRC.</summary>
    public void Complete(ulong reservedHigh, long reservedLow)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("A batch needs at least one record.");
        }

        var span = _buffer.AsSpan();
        if (_reservedAt >= 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[_reservedAt..], reservedHigh);
            BinaryPrimitives.WriteInt64LittleEndian(span[(_reservedAt + 8)..], reservedLow);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span, BatchHeader.Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], _length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], BatchHeader.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], _min);
        BinaryPrimitives.WriteInt64LittleEndian(span[40..], _max);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Crc32C.Compute(span[BatchHeader.CrcStart.._length]));
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(long more)
    {
        long needed = _length + more;
        if (needed > int.MaxValue / 2)
        {
            throw new RecordTooLargeException($"A batch of {needed} bytes is too large.", needed, int.MaxValue / 2);
        }

        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Max(needed, 2L * _buffer.Length));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void WriteHeaderName(Span<byte> span, string name)
    {
        int n = Encoding.UTF8.GetBytes(name, span[(_length + 2)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[_length..], (ushort)n);
        _length += 2 + n;
    }

    private static int WriteBytes(Span<byte> destination, int pos, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[pos..], bytes.Length);
        bytes.CopyTo(destination[(pos + 4)..]);
        return pos + 4 + bytes.Length;
    }
}
