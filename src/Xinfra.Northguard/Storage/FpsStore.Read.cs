using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Segments;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// Reads durable records of a segment from <paramref name="offset"/>: whole batches until at least one batch and
    /// about <paramref name="maxBytes"/> were returned. Never blocks appends. Throws <see cref="OffsetOutOfRangeException"/>
    /// for offsets outside the segment or deleted by retention, and <see cref="CorruptDataException"/> (naming the file
    /// and position) when the segment's data fails a check; such a segment is refused from then on.
    /// </summary>
    public ValueTask<ReadResult> ReadAsync(long segmentId, long offset, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        cancellationToken.ThrowIfCancellationRequested();
        var segment = GetSegmentForRead(segmentId, offset);
        return ValueTask.FromResult(Guard(segment, offset, () => segment.Read(offset, maxBytes, _index)));
    }

    /// <summary>
    /// Reads durable batches of a segment as the store encoded them (docs/storage.md), CRC-checked, from the one holding
    /// <paramref name="offset"/> (it may start below it) until about <paramref name="maxBytes"/> or
    /// <paramref name="maxRecords"/> records from the offset; never a batch reaching past the durable end. Empty at the
    /// end of the readable data. Throws as <see cref="ReadAsync"/> does.
    /// </summary>
    public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadBatchesAsync(long segmentId, long offset, int maxBytes, long maxRecords = long.MaxValue,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        cancellationToken.ThrowIfCancellationRequested();
        var segment = GetSegmentForRead(segmentId, offset);
        return ValueTask.FromResult(Guard(segment, offset, () => segment.ReadBatches(offset, maxBytes, maxRecords, _index)));
    }

    /// <summary>The first offset of the segment whose record timestamp is at least <paramref name="timestamp"/>, or null.</summary>
    public ValueTask<long?> FindOffsetByTimestampAsync(long segmentId, long timestamp, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var segment = GetSegmentForRead(segmentId, timestamp);
        return ValueTask.FromResult(Guard(segment, 0, () => segment.FindOffsetByTimestamp(timestamp, _index)));
    }

    /// <summary>
    /// Declares an active consume stream on the segment's tail: while at least one lease is held, newly durable
    /// batches are also kept in memory so tail reads are served without disk I/O. Dispose the lease when done.
    /// </summary>
    public IDisposable OpenTailReader(long segmentId)
    {
        var segment = GetSegmentOrThrow(segmentId);
        segment.AddTailReader();
        return new TailLease(segment);
    }

    private Segment GetSegmentForRead(long segmentId, long offset)
    {
        if (_segments.TryGetValue(segmentId, out var segment) && !segment.IsDeleted)
        {
            return segment;
        }

        if (_deleted.TryGetValue(segmentId, out var range))
        {
            throw new OffsetOutOfRangeException(
                $"Segment {segmentId} (offsets {range.Low} to {range.High}) was deleted by retention.", offset, range.High, range.High);
        }

        throw new SegmentNotFoundException(segmentId);
    }

    private T Guard<T>(Segment segment, long offset, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (CorruptDataException ex) when (segment.Refusal is null)
        {
            segment.Refuse(ex);
            StorageMetrics.RecordRefusedSegment();
            Log.SegmentRefused(_logger, segment.Id, ex.Message);
            throw;
        }
        catch (Exception ex) when (segment.IsDeleted && ex is IOException or ObjectDisposedException)
        {
            throw new OffsetOutOfRangeException($"Segment {segment.Id} was deleted by retention during the read.", offset, segment.View.Next, segment.View.Next);
        }
    }

    private sealed class TailLease(Segment segment) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                segment.RemoveTailReader();
            }
        }
    }
}
