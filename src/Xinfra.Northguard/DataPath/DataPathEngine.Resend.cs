using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Finding which resent appends the previous segment already holds (idempotence across segment rolls).</summary>
internal sealed partial class DataPathEngine
{
    /// <summary>
    /// The appends of the opening producer, from its first unacknowledged sequence on, that the range's earlier
    /// (sealed) segments hold at or above its <c>acked_end_offset</c>: read locally or from a live replica. Not only the
    /// previous segment: brokers that fail right after a segment opens leave empty sealed segments between the one
    /// holding the unacknowledged appends and the new one.
    /// </summary>
    public async Task<IReadOnlyList<AckedAppend>> FindStoredAppendsAsync(ProduceOpen open, SegmentLeader leader, CancellationToken cancellationToken)
    {
        if (!open.Resend || leader.Id.Sequence == 0)
        {
            return [];
        }

        var description = await DescribeAsync(open.Topic, cancellationToken).ConfigureAwait(false);
        var found = new List<AckedAppend>();
        long segmentBase = 0;
        foreach (var segment in description.Segments)
        {
            if (segment.Id.Range != leader.Id.Range || segment.Id.Sequence >= leader.Id.Sequence)
            {
                continue;
            }

            long from = Math.Max(open.AckedEndOffset, segmentBase);
            if (segment.State == SegmentState.Sealed && from < segment.EndOffset)
            {
                await CollectStoredAsync(open, segment, from, found, cancellationToken).ConfigureAwait(false);
            }

            segmentBase = segment.EndOffset;
        }

        return found;
    }

    /// <summary>Collects the producer's appends in [<paramref name="from"/>, end) of a sealed segment.</summary>
    private async Task CollectStoredAsync(ProduceOpen open, Metadata.Model.SegmentInfo segment, long from, List<AckedAppend> found, CancellationToken cancellationToken)
    {
        long storeId = StoreIds.Of(segment.Id);
        // Only a local copy that reaches the sealed end can answer: an orphan seal may have recorded an end beyond
        // this broker's copy (a replica it could not reach had more), and an empty page at the short copy's end is
        // not the end of the segment (simulator seed 296 --groups 0: the resent append sat past the short copy and
        // was written a second time). A short copy reads from a replica that has it all.
        if (Store.GetSegment(storeId) is { } local && local.NextOffset >= segment.EndOffset)
        {
            for (long offset = from; offset < segment.EndOffset;)
            {
                var page = await Store.ReadAsync(storeId, offset, 1 << 20, cancellationToken).ConfigureAwait(false);
                foreach (var stored in page.Records)
                {
                    if (stored.Offset >= offset && stored.Offset < segment.EndOffset)
                    {
                        Collect(open, RecordCodec.ToWire(stored.Record), stored.Offset, found);
                    }
                }

                offset = page.Records.Count == 0 ? segment.EndOffset : page.NextOffset;
            }

            return;
        }

        int before = found.Count;
        foreach (ulong replica in segment.Replicas)
        {
            if (replica == BrokerId || !IsLive(replica))
            {
                continue;
            }

            try
            {
                await ReadRemoteAsync(replica, open, from, segment.EndOffset, found, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RpcException)
            {
                found.RemoveRange(before, found.Count - before);
            }
        }

        throw new RpcException(new Status(StatusCode.Unavailable, $"No replica of segment {segment.Id} is reachable to check resent appends."));
    }

    private async Task ReadRemoteAsync(ulong replica, ProduceOpen open, long from, long end, List<AckedAppend> found, CancellationToken cancellationToken)
    {
        using var call = Peer(replica).Consume(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Start = new ConsumeStart { Topic = open.Topic, RangeId = open.RangeId, Offset = from, CreditRecords = int.MaxValue, CreditBytes = long.MaxValue, Raw = true },
        }, cancellationToken).ConfigureAwait(false);
        long next = from;
        while (next < end && await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var response = call.ResponseStream.Current;
            if (response.KindCase != ConsumeResponse.KindOneofCase.Batch)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"Replica {replica} did not serve offsets {next} to {end}."));
            }

            foreach (var consumed in response.Batch.Records)
            {
                if (consumed.Offset < end)
                {
                    Collect(open, consumed.Record, consumed.Offset, found);
                }

                next = consumed.Offset + 1;
            }
        }

        if (next < end)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Replica {replica} ended its stream at offset {next}, before {end}."));
        }
    }

    private static void Collect(ProduceOpen open, Record record, long offset, List<AckedAppend> found)
    {
        if (ProducerSequenceHeader.TryRead(record, out ulong producer, out long sequence) && producer == open.ProducerId && sequence >= open.FirstSequence)
        {
            found.Add(new AckedAppend(sequence, offset));
        }
    }
}
