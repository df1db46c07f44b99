using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.StateMachine;
using Xinfra.Simulator.Engine;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// Retention, as the engine runs it: seals record when they happened (the broker's wall clock) and the segment's
/// size, like <c>LocalMetadataService</c>; every second the leader of each vnode proposes what the real
/// <see cref="VnodeStateMachine.RetentionDue"/> calls for (<c>MetadataHost.ProposeRetention</c>), and every replica
/// drops its copies of segments the applied metadata marks <see cref="SegmentState.Deleted"/>
/// (<c>SegmentReclaimer</c>).
/// </summary>
internal sealed partial class SimBroker
{
    private static readonly long RetentionInterval = SimLoop.Ms(1000);

    /// <summary>The seal command of a segment ending at <paramref name="end"/>, with seal time and local size.</summary>
    private SealSegmentCommand SealCommand(SegmentId segment, long end) => new(segment, end)
    {
        SealedAtUnixMs = Clock.GetUtcNow().ToUnixTimeMilliseconds(),
        SizeBytes = Store?.GetSegment(SegmentRef.StoreIdOf(segment))?.SizeBytes ?? -1,
    };

    private async Task RetentionLoopAsync(int life)
    {
        // Out of phase with the other brokers, without drawing from the broker's random stream (placement uses it).
        await _world.Loop.Delay(SimLoop.Ms(137 * Id % 1000));
        while (life == Incarnation)
        {
            long now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var replica in _vnodes.Values.ToList())
            {
                if (replica.Node.Role == RaftRole.Leader)
                {
                    foreach (var command in replica.State.RetentionDue(now))
                    {
                        _world.Trace.Write($"broker {Id} retention: delete {command.Range} through segment {command.ThroughSequence}");
                        _ = _meta.WriteAsync(command, retryAfterTimeout: false);
                    }
                }

                Reclaim(replica.State);
            }

            await _world.Loop.Delay(RetentionInterval);
        }
    }

    /// <summary>Drops local copies of segments the applied metadata marks deleted.</summary>
    private void Reclaim(VnodeStateMachine state)
    {
        foreach (var topic in state.DescribeAll())
        {
            foreach (var segment in topic.Segments)
            {
                long storeId = SegmentRef.StoreIdOf(segment.Id);
                bool reclaim = segment.State == SegmentState.Deleted
                    || (_world.Options.Bugs.ReclaimBeforeDelete && segment.State == SegmentState.Sealed && topic.Topic.Name == Workloads.RetentionWorkload.Topic);
                if (reclaim && Store?.GetSegment(storeId) is { SizeBytes: > 0 } && Store.DeleteSegment(storeId))
                {
                    _world.Trace.Write($"broker {Id} reclaimed deleted segment {segment.Id}");
                    _leaders.Remove(segment.Id); // A leader cut off while others sealed and retention deleted it.

                }
            }
        }
    }
}
