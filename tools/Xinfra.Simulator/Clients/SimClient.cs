using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Clients;

/// <summary>What the simulated clients share: an RPC endpoint, a metadata client, a clock and a random stream.</summary>
internal abstract class SimClient : ISimNode
{
    protected SimClient(SimWorld world, int id)
    {
        World = world;
        Id = id;
        Rpc = new RpcEndpoint(id, world.Loop, world.Network);
        Meta = new MetaClient(world, Rpc);
        Random = world.Derive(id * 131L);
        Clock = new SimClock(world.Loop);
    }

    public int Id { get; }

    /// <summary>Clients never crash (they are the observers the checkers trust), except group members, which restart.</summary>
    public virtual bool IsUp => true;

    protected SimWorld World { get; }

    protected RpcEndpoint Rpc { get; }

    protected MetaClient Meta { get; }

    protected Random Random { get; }

    protected SimClock Clock { get; }

    public void Receive(int from, object message)
    {
        if (message is Reply reply)
        {
            Rpc.OnReply(reply);
        }
    }

    private readonly Dictionary<string, (TopicDescription Of, Dictionary<RangeId, List<(SegmentInfo Segment, long Base)>> Chains)> _chains =
        new(StringComparer.Ordinal);

    /// <summary>The segments of a range in chain order, each with its base offset (offsets run on across segments).</summary>
    protected List<(SegmentInfo Segment, long Base)> Chain(TopicDescription description, RangeId range)
    {
        string topic = description.Topic.Name;
        if (!_chains.TryGetValue(topic, out var cached) || !ReferenceEquals(cached.Of, description))
        {
            // Index each description once (it is immutable): callers look chains up per range and per batch.
            var chains = new Dictionary<RangeId, List<(SegmentInfo Segment, long Base)>>();
            foreach (var segment in description.Segments)
            {
                if (!chains.TryGetValue(segment.Id.Range, out var list))
                {
                    chains[segment.Id.Range] = list = [];
                }

                list.Add((segment, list.Count == 0 ? 0 : list[^1].Segment.EndOffset));
            }

            cached = (description, chains);
            _chains[topic] = cached;
        }

        return cached.Chains.TryGetValue(range, out var chain) ? chain : [];
    }

    /// <summary>The end of the range's deleted prefix (retention): a reader below it skips there.</summary>
    protected static long LowWatermark(List<(SegmentInfo Segment, long Base)> chain)
    {
        long low = 0;
        foreach (var (segment, _) in chain)
        {
            if (segment.State == SegmentState.Deleted)
            {
                low = Math.Max(low, segment.EndOffset);
            }
        }

        return low;
    }

    protected int AnyBroker() => 1 + Random.Next(World.Options.Brokers);

    /// <summary>
    /// What a producer does after a produce that was not acknowledged, so that its next attempt (after describing the
    /// topic again) goes to a new segment: nothing when sealed; on an orphan, ask the first replica to fence and seal;
    /// after two failed calls in a row, ask another replica to (the leader seems gone). Returns the new count of failed
    /// calls in a row.
    /// </summary>
    protected async Task<int> RecoverFromRefusalAsync(object? reply, SegmentRef segment, int failures)
    {
        switch (reply)
        {
            case ProduceResponse { Status: ProduceStatus.Sealed }:
                return failures;
            case ProduceResponse { Status: ProduceStatus.Orphan }:
                await Rpc.CallAsync((int)segment.Replicas[0], new SealOrphanRequest(segment), SimLoop.Ms(1500));
                return failures;
            default:
                if (++failures >= 2)
                {
                    // The leader is unreachable: have another replica fence the copies and seal.
                    int other = (int)segment.Replicas[1 + Random.Next(segment.Replicas.Length - 1)];
                    await Rpc.CallAsync(other, new SealOrphanRequest(segment), SimLoop.Ms(1500));
                    failures = 0;
                }

                await World.Loop.Delay(SimLoop.Ms(30));
                return failures;
        }
    }
}
