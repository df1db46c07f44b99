using System.Buffers;
using Xinfra.Northguard.Storage.Segments;

namespace Xinfra.Northguard.Storage.Wal;

/// <summary>
/// The appends that will be made durable by one WAL write and one fsync. Appends encode their WAL entries straight
/// into <see cref="Buffer"/> (pooled); everyone waiting on <see cref="Durable"/> is released together.
/// </summary>
internal sealed class CommitGroup
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    /// <summary>Completed when the group's first append arrives.</summary>
    public TaskCompletionSource HasWork { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when the group reaches its byte or append limit.</summary>
    public TaskCompletionSource Full { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once the group is durable (and applied to its segments), or failed.</summary>
    public TaskCompletionSource Durable { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The entries: segment, start of the batch in <see cref="Buffer"/>, batch length.</summary>
    public List<(Segment Segment, int Start, int Length)> Entries { get; } = [];

    /// <summary>The encoded WAL bytes.</summary>
    public ReadOnlySpan<byte> Buffer => _buffer.AsSpan(0, Length);

    /// <summary>How many bytes are used.</summary>
    public int Length { get; private set; }

    /// <summary>Reserves <paramref name="size"/> bytes at the end and returns them with their start.</summary>
    public Span<byte> Reserve(int size, out int start)
    {
        if (Length + size > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + size, _buffer.Length * 2));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        start = Length;
        Length += size;
        return _buffer.AsSpan(start, size);
    }

    /// <summary>Gives back a reservation that could not be filled (the last one).</summary>
    public void Unreserve(int start) => Length = start;

    /// <summary>The bytes of one entry's batch.</summary>
    public ReadOnlySpan<byte> Batch(int start, int length) => _buffer.AsSpan(start, length);

    /// <summary>Returns the buffer to the pool; the group is unusable afterwards.</summary>
    public void Release()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Length = 0;
    }
}
