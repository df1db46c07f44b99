using Xinfra.Northguard.Metadata.Raft.Durable;

namespace Xinfra.Northguard.Metadata.Raft.Hosting;

/// <summary>The host side of the Ready contract: persist, send batched per broker, apply.</summary>
public sealed partial class RaftHost
{
    private static void Persist(DurableRaftStorage storage, Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
        {
            storage.ApplySnapshot(snapshot);
        }

        storage.Append(ready.Entries);
        if (ready.HardState is { } hs)
        {
            storage.SetHardState(hs);
        }
    }

    private void SendBatched()
    {
        foreach (var (group, ready) in _batch)
        {
            foreach (var message in ready.Messages)
            {
                if (!_outbox.TryGetValue(message.To, out var list))
                {
                    _outbox[message.To] = list = [];
                }

                list.Add(new GroupMessage(group.Id, message));
            }
        }

        foreach (var (broker, list) in _outbox)
        {
            if (list.Count > 0)
            {
                _transport.Send(broker, [.. list]);
                list.Clear();
            }
        }
    }

    private static void Apply(Group group, Ready ready)
    {
        var leader = (group.Node.Term, ready.Leader);
        if (leader != group.LastLeader)
        {
            group.LastLeader = leader;
            group.StateMachine.OnLeaderChanged(leader.Term, leader.Leader);
        }

        if (ready.Snapshot is { } snapshot)
        {
            group.StateMachine.Restore(snapshot);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            group.StateMachine.Apply(entry);
        }

        group.WaitingReads.AddRange(ready.ReadStates);
        long applied = ready.CommittedEntries.Count > 0 ? ready.CommittedEntries[^1].Index
            : ready.Snapshot?.Index ?? group.Node.Applied;
        for (int i = 0; i < group.WaitingReads.Count; i++)
        {
            if (group.WaitingReads[i].Index <= applied)
            {
                group.StateMachine.OnReadReady(group.WaitingReads[i]);
                group.WaitingReads.RemoveAt(i--);
            }
        }
    }
}
