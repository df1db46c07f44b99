using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// Appends <paramref name="records"/> to a segment as one batch and returns their offsets at once. The records are
    /// neither durable nor readable until the group commit holding them is fsynced: await
    /// <see cref="WaitForDurableAsync"/> with <see cref="AppendResult.LastOffset"/>.
    /// </summary>
    public AppendResult Append(long segmentId, ReadOnlySpan<LogRecord> records)
    {
        if (records.IsEmpty)
        {
            throw new ArgumentException("An append needs at least one record.", nameof(records));
        }

        var size = BatchEncoder.Measure(records);
        ThrowIfBatchTooLarge(size);
        lock (_appendLock)
        {
            var segment = AppendableSegment(segmentId);
            var baseOffset = segment.AssignedNext;
            var group = _current;
            var entry = group.Reserve(WalFormat.DataPrefixSize + size, out var start);
            WalFormat.WriteDataPrefix(entry, segmentId, size);
            BatchEncoder.Write(entry[WalFormat.DataPrefixSize..], baseOffset, records);
            return Enlist(group, segment, entry, start, size, records.Length);
        }
    }

    private void ThrowIfBatchTooLarge(int size)
    {
        if (size > _options.MaxBatchBytes)
        {
            throw new RecordTooLargeException($"The batch is {size} bytes; the store accepts at most {_options.MaxBatchBytes}.", size, _options.MaxBatchBytes);
        }
    }

    /// <summary>The segment an append goes to, once the store and the segment take appends. Under the append lock.</summary>
    private Segments.Segment AppendableSegment(long segmentId)
    {
        ThrowIfUnavailable();
        var segment = GetSegmentOrThrow(segmentId);
        segment.ThrowIfRefused();
        if (segment.SealRequested)
        {
            throw new SegmentSealedException(segmentId);
        }

        return segment;
    }

    /// <summary>
    /// Seals a written WAL entry of <paramref name="recordCount"/> records into <paramref name="group"/>, assigns the
    /// segment's offsets and wakes the flusher. Under the append lock.
    /// </summary>
    private AppendResult Enlist(CommitGroup group, Segments.Segment segment, Span<byte> entry, int start, int size, int recordCount)
    {
        WalFormat.SealData(entry);
        group.Entries.Add((segment, start + WalFormat.DataPrefixSize, size));
        var baseOffset = segment.AssignedNext;
        segment.AssignedNext = baseOffset + recordCount;
        var last = segment.AssignedNext - 1;
        TrackPending(segment, last, group);
        if (group.Entries.Count == 1)
        {
            group.HasWork.TrySetResult();
        }

        if (group.Length >= _options.GroupCommitMaxBytes || group.Entries.Count >= _options.GroupCommitMaxAppends)
        {
            group.Full.TrySetResult();
        }

        return new AppendResult(segment.Id, baseOffset, last);
    }

    /// <summary>Appends and waits until the records are durable.</summary>
    public async ValueTask<AppendResult> AppendAsync(long segmentId, ReadOnlyMemory<LogRecord> records, CancellationToken cancellationToken = default)
    {
        var result = Append(segmentId, records.Span);
        await WaitForDurableAsync(segmentId, result.LastOffset, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Completes when every record of the segment up to and including <paramref name="offset"/> is durable (fsynced in the
    /// WAL) and readable. Fails with <see cref="StorageFailedException"/> when the WAL write or fsync failed.
    /// </summary>
    public ValueTask WaitForDurableAsync(long segmentId, long offset, CancellationToken cancellationToken = default)
    {
        CommitGroup? group = null;
        lock (_appendLock)
        {
            var segment = GetSegmentOrThrow(segmentId);
            if (offset < segment.View.Next)
            {
                return ValueTask.CompletedTask;
            }

            if (offset >= segment.AssignedNext)
            {
                throw new OffsetOutOfRangeException(
                    $"Offset {offset} of segment {segmentId} was never appended (next offset {segment.AssignedNext}).", offset, segment.Header.BaseOffset, segment.AssignedNext);
            }

            foreach (var (lastOffset, g) in segment.Pending)
            {
                if (lastOffset >= offset)
                {
                    group = g;
                    break;
                }
            }

            if (group is null)
            {
                // The group left the pending list: either it was applied since the first check (the view moved past
                // the offset; the view is published before the list is trimmed) or it failed.
                return offset < segment.View.Next
                    ? ValueTask.CompletedTask
                    : ValueTask.FromException(new StorageFailedException("Writing or fsyncing the write-ahead log failed.", _failure));
            }
        }

        return new ValueTask(group.Durable.Task.WaitAsync(cancellationToken));
    }

    private static void TrackPending(Segments.Segment segment, long last, CommitGroup group)
    {
        // Only the newest pending element can belong to the open group: extend it or add one.
        var pending = segment.Pending;
        if (pending.Count > 0 && pending[^1].Group == group)
        {
            pending[^1] = (last, group);
        }
        else
        {
            pending.Add((last, group));
        }
    }
}
