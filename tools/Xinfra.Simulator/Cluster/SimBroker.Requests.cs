using Xinfra.Northguard.DataPath.Core;
using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Storage;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>Opening segments (placement on live brokers) and serving consumer fetches.</summary>
internal sealed partial class SimBroker
{
    private static readonly Dictionary<string, string> NoAttributes = [];

    private async Task ServeOpenSegmentAsync(int from, long callId, OpenSegmentRequest request)
    {
        int life = Incarnation;
        var (answered, description) = await _meta.DescribeAsync(request.Topic);
        if (life != Incarnation)
        {
            return;
        }

        if (!answered || description is null)
        {
            _rpc.Reply(from, callId, new Done(false, answered ? "unknown topic" : "metadata unavailable"));
            return;
        }

        var range = description.Ranges.FirstOrDefault(r => r.Id == request.Range);
        if (range is null || range.State != RangeState.Active)
        {
            _rpc.Reply(from, callId, new Done(false, "range retired or unknown"));
            return;
        }

        if (range.SegmentCount > 0 && description.Segments.Last(s => s.Id.Range == range.Id).State == SegmentState.Open)
        {
            _rpc.Reply(from, callId, new Done(true, "already open"));
            return;
        }

        int rf = description.Topic.Policy.ReplicationFactor;
        var live = PlaceableBrokers();
        var brokers = live.ConvertAll(b => new BrokerInfo(b, $"broker-{b}", 0, NoAttributes, IsLive: true));
        var chosen = SegmentPlacement.Choose(brokers, SegmentPlacement.OpenSegmentsPerBroker(description.Segments), rf, Self);
        if (chosen is null)
        {
            _rpc.Reply(from, callId, new Done(false, $"only {live.Count} placeable brokers for replication factor {rf}"));
            return;
        }

        if (chosen.Count < rf)
        {
            _world.Trace.Write($"broker {Id} opens {range.Id} on {chosen.Count} of {rf} replicas (brokers down or suspected)");
        }

        var result = await _meta.WriteAsync(new OpenSegmentCommand(range.Id, chosen));
        if (life == Incarnation)
        {
            _rpc.Reply(from, callId, new Done(result?.IsOk == true, result?.Message));
        }
    }

    private FetchResponse OnFetch(FetchRequest request)
    {
        var segment = request.Segment;
        long limit;
        if (request.SealedEnd is { } end)
        {
            limit = end;
        }
        else if (_leaders.TryGetValue(segment.Id, out var leader))
        {
            limit = leader.Core.Committed;
        }
        else
        {
            if (segment.Replicas[0] == Self && !_orphanSeals.Contains(segment.Id) && Store!.GetSegment(segment.StoreId) is not null)
            {
                // This broker led the segment before it restarted: nobody can commit more to it, so seal it.
                _ = ServeSealOrphanAsync(Id, 0, new SealOrphanRequest(segment));
            }

            return new FetchResponse([], "not leading the open segment");
        }

        if (request.Offset >= limit)
        {
            return new FetchResponse([], null);
        }

        try
        {
            var read = Store!.ReadAsync(segment.StoreId, request.Offset, 16 * 1024).AsTask().GetAwaiter().GetResult();
            var records = new List<StoredRecord>(read.Records.Count);
            foreach (var record in read.Records)
            {
                if (record.Offset >= limit)
                {
                    break;
                }

                records.Add(record);
            }

            return new FetchResponse(records, records.Count == 0 ? "nothing durable here yet" : null);
        }
        catch (Exception e) when (e is SegmentNotFoundException or OffsetOutOfRangeException or CorruptDataException or StorageFailedException or IOException)
        {
            return new FetchResponse([], e.GetType().Name);
        }
    }
}
