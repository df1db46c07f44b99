using System.Buffers;

namespace Xinfra.Northguard.DataPath.Wire;

/// <summary>
/// The bytes of one received append batch in an array rented from <see cref="ArrayPool{T}.Shared"/>, shared by the
/// code that still reads it (the leader's store append and each follower's replicate write) and returned to the pool
/// when the last of them releases it. A holder that never releases (a failed stream) only leaves the array to the GC.
/// </summary>
internal sealed class PooledBatch
{
    private byte[]? _array;
    private int _references = 1;

    private PooledBatch(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    /// <summary>The batch bytes; valid until the last reference is released.</summary>
    public ReadOnlyMemory<byte> Memory => _array is { } array ? array.AsMemory(0, Length) : throw new ObjectDisposedException(nameof(PooledBatch));

    /// <summary>The batch length in bytes.</summary>
    public int Length { get; }

    /// <summary>Rents an array of at least <paramref name="length"/> bytes, with one reference (the caller's).</summary>
    public static PooledBatch Rent(int length) => new(ArrayPool<byte>.Shared.Rent(length), length);

    /// <summary>The writable bytes, for the parser that fills them before the batch is shared.</summary>
    public Span<byte> Fill() => _array.AsSpan(0, Length);

    /// <summary>One more holder; each holder calls <see cref="Release"/> once.</summary>
    public void AddReference() => Interlocked.Increment(ref _references);

    /// <summary>Drops one reference; the last one returns the array to the pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A pooled batch was released more often than it was referenced.");
        }
    }
}
