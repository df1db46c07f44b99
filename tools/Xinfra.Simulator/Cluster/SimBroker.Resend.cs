using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// Resend dedup across segments, as <c>DataPathEngine.Resend.cs</c> does: the leader stamps the first record of every
/// append with the producer and sequence (<c>ng.seq</c>); a producer resending a batch to a new segment is first looked
/// up in the range's earlier sealed segments, and appends found there are acknowledged rather than written again.
/// </summary>
internal sealed partial class SimBroker
{
    /// <summary>The batch with <c>ng.seq</c> (the engine's <see cref="ProducerSequenceHeader"/>) on its first record.</summary>
    private static LogRecord[] WithSequenceHeader(LogRecord[] records, ulong producer, long sequence)
    {
        var stamped = (LogRecord[])records.Clone();
        var first = stamped[0];
        stamped[0] = first with { Headers = [.. first.Headers, new RecordHeader(ProducerSequenceHeader.Name, ProducerSequenceHeader.Encode(producer, sequence))] };
        return stamped;
    }

    /// <summary>First produce of a resending producer on this segment: find its stored appends, introduce it to the core, then serve the call.</summary>
    private async Task ResumeProducerAsync(int from, long callId, ProduceRequest request, LeaderModel leader)
    {
        int life = Incarnation;
        var stored = await FindStoredAppendsAsync(request);
        if (life != Incarnation)
        {
            return;
        }

        if (stored is null)
        {
            _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Failed, 0, 0)); // The engine answers Unavailable; the producer retries.
            return;
        }

        if (!_leaders.TryGetValue(request.Segment.Id, out var current) || current != leader)
        {
            _rpc.Reply(from, callId, new ProduceResponse(ProduceStatus.Sealed, 0, 0));
            return;
        }

        ulong producer = (ulong)request.Producer;
        if (!leader.Core.HasProducer(producer))
        {
            foreach (var (sequence, baseOffset, count) in stored)
            {
                leader.StoredResends[(producer, sequence)] = (baseOffset, count);
            }

            leader.Core.InitProducer(producer, request.Sequence, [.. stored.Select(s => (s.Sequence, s.BaseOffset))]);
            if (stored.Count > 0)
            {
                _world.Trace.Write($"broker {Id} found {stored.Count} appends of p{producer} from s{request.Sequence} before {request.Segment}");
            }
        }

        OnProduce(from, callId, request);
    }

    /// <summary>
    /// <c>FindStoredAppendsAsync</c>: the producer's appends from its first unacknowledged sequence on in the range's
    /// earlier sealed segments, at or above its acknowledged end (read locally or from a replica); null when metadata
    /// or every replica of a segment to read was unreachable.
    /// </summary>
    private async Task<List<(long Sequence, long BaseOffset, int Count)>?> FindStoredAppendsAsync(ProduceRequest request)
    {
        var segment = request.Segment;
        var (_, description) = await _meta.DescribeAsync(segment.Topic);
        if (description is null)
        {
            return null;
        }

        var found = new List<(long Sequence, long BaseOffset, int Count)>();
        long segmentBase = 0;
        foreach (var earlier in description.Segments)
        {
            if (earlier.Id.Range != segment.Id.Range || earlier.Id.Sequence >= segment.Id.Sequence)
            {
                continue;
            }

            long start = Math.Max(request.AckedEnd, segmentBase); // A segment deleted by retention is not searched, as in the engine.
            if (earlier.State == SegmentState.Sealed && start < earlier.EndOffset)
            {
                var records = await ReadSealedAsync(new SegmentRef(earlier.Id, segment.Topic, segmentBase, [.. earlier.Replicas]), start, earlier.EndOffset);
                if (records is null)
                {
                    return null;
                }

                Collect(records, earlier.EndOffset, (ulong)request.Producer, request.Sequence, found);
            }

            segmentBase = earlier.EndOffset;
        }

        return found;
    }

    /// <summary>Appends of one producer at or after <paramref name="firstSequence"/>, with their record counts (up to the next stamped record).</summary>
    private static void Collect(List<StoredRecord> records, long end, ulong producer, long firstSequence, List<(long Sequence, long BaseOffset, int Count)> found)
    {
        for (int i = 0; i < records.Count; i++)
        {
            if (ProducerSequenceHeader.TryRead(records[i].Record, out ulong p, out long sequence) && p == producer && sequence >= firstSequence)
            {
                long next = end;
                for (int j = i + 1; j < records.Count; j++)
                {
                    if (ProducerSequenceHeader.TryRead(records[j].Record, out _, out _))
                    {
                        next = records[j].Offset;
                        break;
                    }
                }

                found.Add((sequence, records[i].Offset, (int)(next - records[i].Offset)));
            }
        }
    }

    /// <summary>The records of a sealed segment in [<paramref name="start"/>, <paramref name="end"/>): local copy, else a replica's.</summary>
    private async Task<List<StoredRecord>?> ReadSealedAsync(SegmentRef segment, long start, long end)
    {
        var store = Store!;
        var records = new List<StoredRecord>();
        // As DataPathEngine.CollectStoredAsync: only a local copy that reaches the sealed end answers (seed 296).
        if (store.GetSegment(segment.StoreId) is { IsSealed: true } local && local.NextOffset >= end)
        {
            try
            {
                for (long offset = start; offset < end;)
                {
                    var page = store.ReadAsync(segment.StoreId, offset, 1 << 20).AsTask().GetAwaiter().GetResult();
                    records.AddRange(page.Records.Where(r => r.Offset >= offset && r.Offset < end));
                    offset = page.Records.Count == 0 ? end : page.NextOffset;
                }

                return records;
            }
            catch (Exception e) when (e is SegmentNotFoundException or OffsetOutOfRangeException or CorruptDataException)
            {
                records.Clear(); // Reclaimed or unreadable here: ask a replica.
            }
            catch (Exception e) when (e is StorageFailedException or IOException)
            {
                FailStop(e);
                return null;
            }
        }

        int life = Incarnation;
        foreach (ulong replica in segment.Replicas)
        {
            if (replica == Self)
            {
                continue;
            }

            long next = start;
            while (next < end && life == Incarnation)
            {
                if (await _rpc.CallAsync((int)replica, new FetchRequest(segment, next, end), SimLoop.Ms(400)) is not FetchResponse { Records.Count: > 0 } fetched)
                {
                    break;
                }

                records.AddRange(fetched.Records.Where(r => r.Offset >= next && r.Offset < end));
                next = fetched.Records[^1].Offset + 1;
            }

            if (next >= end)
            {
                return records;
            }

            records.Clear();
        }

        return null;
    }
}
