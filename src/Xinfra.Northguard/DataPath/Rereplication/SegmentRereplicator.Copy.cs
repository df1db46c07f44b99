using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.DataPath.Rereplication;

/// <summary>Pulling one sealed segment from a surviving replica over a raw consume stream.</summary>
internal sealed partial class SegmentRereplicator
{
    private const int CreditRecords = 4096;
    private const long CreditBytes = 16L << 20;

    /// <summary>
    /// Makes this broker hold a sealed, durable copy of the segment ending exactly at its metadata end offset. Resumes a
    /// copy an earlier pass left unsealed. Returns false (and keeps the metadata unchanged) when the copy cannot be
    /// verified.
    /// </summary>
    private async Task<bool> CopyAsync(UnderReplicatedSegment item, ulong source, CancellationToken token)
    {
        var segment = item.Segment;
        long storeId = StoreIds.Of(segment.Id);
        var existing = engine.Store.GetSegment(storeId);
        if (existing is null)
        {
            engine.Store.CreateSegment(storeId, item.Topic, item.BaseOffset);
            existing = engine.Store.GetSegment(storeId)!;
        }

        if (existing.BaseOffset != item.BaseOffset || existing.NextOffset > segment.EndOffset
            || (existing.IsSealed && existing.NextOffset != segment.EndOffset))
        {
            RereplicationLog.Mismatch(engine.Logger, segment.Id.ToString(), existing.BaseOffset, existing.NextOffset, item.BaseOffset, segment.EndOffset);
            return false;
        }

        if (!existing.IsSealed)
        {
            long next = existing.NextOffset;
            if (next < segment.EndOffset)
            {
                next = await PullAsync(item, source, storeId, next, token).ConfigureAwait(false);
                if (next > item.BaseOffset)
                {
                    await engine.Store.WaitForDurableAsync(storeId, next - 1, token).ConfigureAwait(false);
                }
            }

            if (next != segment.EndOffset)
            {
                return false;
            }

            await engine.Store.SealSegmentAsync(storeId, token).ConfigureAwait(false);
        }

        var copied = engine.Store.GetSegment(storeId);
        bool verified = copied is { IsSealed: true } && copied.NextOffset == segment.EndOffset && copied.BaseOffset == item.BaseOffset;
        if (verified && segment.EndOffset > item.BaseOffset)
        {
            // The last record must be readable at the last offset: the count matches the offset span.
            var last = await engine.Store.ReadAsync(storeId, segment.EndOffset - 1, 1, token).ConfigureAwait(false);
            verified = last.Records.Count > 0 && last.Records[0].Offset == segment.EndOffset - 1;
        }

        if (!verified)
        {
            RereplicationLog.Mismatch(engine.Logger, segment.Id.ToString(), copied?.BaseOffset ?? -1, copied?.NextOffset ?? -1, item.BaseOffset, segment.EndOffset);
        }

        return verified;
    }

    /// <summary>Appends records [<paramref name="from"/>, end) read from <paramref name="source"/>; returns the next offset.</summary>
    private async Task<long> PullAsync(UnderReplicatedSegment item, ulong source, long storeId, long from, CancellationToken token)
    {
        long end = item.Segment.EndOffset;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
        using var call = engine.Peer(source).Consume(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Start = new ConsumeStart
            {
                Topic = item.Topic, RangeId = item.Segment.Id.Range.Value, Offset = from,
                CreditRecords = CreditRecords, CreditBytes = CreditBytes, Raw = true,
            },
        }, cts.Token).ConfigureAwait(false);

        long next = from;
        try
        {
            while (next < end && await call.ResponseStream.MoveNext(cts.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.KindCase != ConsumeResponse.KindOneofCase.Batch)
                {
                    break; // Moved or End: the source no longer serves this segment.
                }

                var batch = response.Batch.Records;
                int count = 0;
                long bytes = 0;
                var records = new List<LogRecord>(batch.Count);
                foreach (var consumed in batch)
                {
                    count++;
                    bytes += RecordCodec.SizeOf(consumed.Record);
                    if (consumed.Offset >= end)
                    {
                        break;
                    }

                    if (consumed.Offset != next + records.Count)
                    {
                        throw new InvalidOperationException($"Segment {item.Segment.Id} copy from broker {source} skipped from {next + records.Count} to {consumed.Offset}.");
                    }

                    records.Add(RecordCodec.ToLog(consumed.Record));
                }

                if (records.Count > 0)
                {
                    var result = engine.Store.Append(storeId, [.. records]);
                    next = result.LastOffset + 1;
                }

                if (next < end)
                {
                    await call.RequestStream.WriteAsync(new ConsumeRequest { Credit = new ConsumeCredit { Records = count, Bytes = bytes } }, cts.Token)
                        .ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
        }

        return next;
    }
}
