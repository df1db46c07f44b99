using Google.Protobuf;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Credits (records and bytes granted by the client) and pushing batches within them.</summary>
internal sealed partial class ConsumeSession
{
    /// <summary>Pushes records [<paramref name="offset"/>, <paramref name="limit"/>) of a segment; returns the next offset.</summary>
    private async Task<long> ServeSegmentAsync(long storeId, long offset, long limit, IServerStreamWriter<ConsumeResponse> responses, CancellationToken token)
    {
        while (offset < limit)
        {
            var (records, bytes) = await WaitForCreditAsync(token).ConfigureAwait(false);
            long recordsEnd = limit;
            if (_acceptStoredBatches && !_raw)
            {
                var (next, fallbackEnd) = await TryPushStoredBatchesAsync(storeId, offset, limit, records, bytes, responses, token).ConfigureAwait(false);
                if (next > offset)
                {
                    offset = next;
                    continue;
                }

                recordsEnd = fallbackEnd;
            }

            offset = await PushRecordsAsync(storeId, offset, recordsEnd, records, bytes, responses, token).ConfigureAwait(false);
        }

        return offset;
    }

    /// <summary>
    /// Pushes the stored batches from <paramref name="offset"/> as bytes while each lies wholly inside [offset,
    /// <paramref name="limit"/>) and fits the credits. Returns the next offset (unchanged when none went) and, for the
    /// per-record fallback, the end of the first batch that could not go whole (the limit when nothing was read).
    /// </summary>
    private async Task<(long Next, long FallbackEnd)> TryPushStoredBatchesAsync(long storeId, long offset, long limit, long records, long bytes,
        IServerStreamWriter<ConsumeResponse> responses, CancellationToken token)
    {
        IReadOnlyList<ReadOnlyMemory<byte>> stored;
        try
        {
            stored = await engine.Store.ReadBatchesAsync(storeId, offset, (int)Math.Min(engine.Options.ConsumeBatchBytes, bytes), records, token).ConfigureAwait(false);
        }
        catch (OffsetOutOfRangeException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, e.Message));
        }

        var batch = new ConsumeBatch();
        long next = offset;
        long usedRecords = 0;
        long usedBytes = 0;
        long fallbackEnd = limit;
        foreach (var bytesOfBatch in stored)
        {
            if (!Storage.Format.BatchHeader.TryRead(bytesOfBatch.Span, out var header))
            {
                break;
            }

            bool whole = header.BaseOffset == next && header.NextOffset <= limit
                && usedRecords + header.RecordCount <= records && usedBytes + header.Length <= bytes;
            if (!whole)
            {
                // Starts below the offset asked for, crosses the committed end or outweighs the credits: records then.
                fallbackEnd = Math.Min(limit, Math.Max(header.NextOffset, offset + 1));
                break;
            }

            batch.StoredBatches.Add(UnsafeByteOperations.UnsafeWrap(bytesOfBatch));
            usedRecords += header.RecordCount;
            usedBytes += header.Length;
            next = header.NextOffset;
        }

        if (batch.StoredBatches.Count == 0)
        {
            return (offset, fallbackEnd);
        }

        AddCredit(-usedRecords, -usedBytes);
        await responses.WriteAsync(new ConsumeResponse { Batch = batch }, token).ConfigureAwait(false);
        return (next, next);
    }

    /// <summary>Pushes records [<paramref name="offset"/>, <paramref name="limit"/>) one by one within the credits; returns the next offset.</summary>
    private async Task<long> PushRecordsAsync(long storeId, long offset, long limit, long records, long bytes, IServerStreamWriter<ConsumeResponse> responses, CancellationToken token)
    {
        Storage.ReadResult read;
        try
        {
            read = await engine.Store.ReadAsync(storeId, offset, (int)Math.Min(engine.Options.ConsumeBatchBytes, bytes), token).ConfigureAwait(false);
        }
        catch (OffsetOutOfRangeException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, e.Message));
        }

        var batch = new ConsumeBatch();
        long used = 0;
        foreach (var stored in read.Records)
        {
            if (stored.Offset < offset)
            {
                continue;
            }

            if (stored.Offset >= limit || batch.Records.Count >= records)
            {
                break;
            }

            var wire = RecordCodec.ToWire(stored.Record);
            if (!_raw)
            {
                ProducerSequenceHeader.Strip(wire);
            }

            long size = RecordCodec.SizeOf(wire);
            if (batch.Records.Count > 0 && used + size > bytes)
            {
                break;
            }

            used += size;
            batch.Records.Add(new ConsumedRecord { Offset = stored.Offset, Record = wire });
        }

        if (batch.Records.Count == 0)
        {
            // Not readable yet (should not happen below the committed offset): let the writer catch up.
            await Task.Delay(TimeSpan.FromMilliseconds(1), engine.Time, token).ConfigureAwait(false);
            return offset;
        }

        AddCredit(-batch.Records.Count, -used);
        await responses.WriteAsync(new ConsumeResponse { Batch = batch }, token).ConfigureAwait(false);
        return batch.Records[^1].Offset + 1;
    }

    private void AddCredit(long records, long bytes)
    {
        lock (_lock)
        {
            _creditRecords += records;
            _creditBytes += bytes;
            _creditChanged.TrySetResult();
            _creditChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private async Task<(long Records, long Bytes)> WaitForCreditAsync(CancellationToken token)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_creditRecords > 0 && _creditBytes > 0)
                {
                    return (_creditRecords, _creditBytes);
                }

                changed = _creditChanged.Task;
            }

            await changed.WaitAsync(token).ConfigureAwait(false);
        }
    }

    private async Task ReadCreditsAsync(IAsyncStreamReader<ConsumeRequest> requests, CancellationToken token)
    {
        while (await requests.MoveNext(token).ConfigureAwait(false))
        {
            var credit = requests.Current.Credit;
            if (credit is null || credit.Records < 0 || credit.Bytes < 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Only non-negative credit updates follow the start message."));
            }

            AddCredit(credit.Records, credit.Bytes);
        }
    }
}
