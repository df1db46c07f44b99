using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Clients;

/// <summary>
/// The metadata client every simulated party uses: routes by the vnode ring, caches the leader per vnode, follows
/// <see cref="NotLeader"/> hints and rotates through brokers on timeouts, like the real client.
/// </summary>
internal sealed class MetaClient(SimWorld world, RpcEndpoint rpc)
{
    private static readonly long CallTimeout = SimLoop.Ms(300);
    private readonly Dictionary<int, int> _leaders = [];
    private int _next;

    /// <summary>Applies a command; null when the outcome is unknown (timeouts) or no leader answered in time.</summary>
    public async Task<MetadataResult?> WriteAsync(MetadataCommand command, bool retryAfterTimeout = true)
    {
        int vnode = command switch
        {
            SplitRangeCommand c => world.Ring.VnodeForRange(c.Range),
            MergeRangesCommand c => world.Ring.VnodeForRange(c.Left),
            OpenSegmentCommand c => world.Ring.VnodeForRange(c.Range),
            SealSegmentCommand c => world.Ring.VnodeForRange(c.Segment.Range),
            ReplaceReplicaCommand c => world.Ring.VnodeForRange(c.Segment.Range),
            DeleteSegmentsCommand c => world.Ring.VnodeForRange(c.Range),
            CreateTopicCommand c => world.Ring.VnodeForTopic(c.Name),
            DeleteTopicCommand c => world.Ring.VnodeForTopic(c.Name),
            SetAclCommand c => world.Ring.VnodeForTopic(c.Topic),
            PutDocumentCommand c => world.Ring.VnodeForTopic(c.Key),
            _ => throw new ArgumentException($"Unknown command {command.GetType().Name}.", nameof(command)),
        };
        return (await CallAsync(vnode, new MetaWrite(vnode, command), retryAfterTimeout) as MetaWriteResult)?.Result;
    }

    /// <summary>Describes a topic linearizably: (false, null) when no leader answered, (true, null) when it does not exist.</summary>
    public async Task<(bool Answered, TopicDescription? Topic)> DescribeAsync(string topic)
    {
        int vnode = world.Ring.VnodeForTopic(topic);
        var reply = await CallAsync(vnode, new MetaRead(vnode, topic, null), true) as MetaReadResult;
        return (reply is not null, reply?.Topic);
    }

    /// <summary>Reads a document linearizably: (false, null) when no leader answered.</summary>
    public async Task<(bool Answered, ConfigDocument? Document)> GetDocumentAsync(string key)
    {
        int vnode = world.Ring.VnodeForTopic(key);
        var reply = await CallAsync(vnode, new MetaRead(vnode, null, key), false) as MetaReadResult;
        return (reply is not null, reply?.Document);
    }

    private async Task<object?> CallAsync(int vnode, object body, bool retryAfterTimeout)
    {
        for (int attempt = 0; attempt < 12; attempt++)
        {
            int target = _leaders.TryGetValue(vnode, out int known) ? known : 1 + (_next++ % world.Options.Brokers);
            var reply = await rpc.CallAsync(target, body, CallTimeout);
            switch (reply)
            {
                case null:
                    _leaders.Remove(vnode);
                    if (!retryAfterTimeout)
                    {
                        return null;
                    }

                    break;
                case NotLeader notLeader:
                    if (notLeader.Hint != 0 && (int)notLeader.Hint != target)
                    {
                        _leaders[vnode] = (int)notLeader.Hint;
                        continue;
                    }

                    _leaders.Remove(vnode);
                    await world.Loop.Delay(SimLoop.Ms(40));
                    break;
                default:
                    _leaders[vnode] = target;
                    return reply;
            }
        }

        return null;
    }
}
