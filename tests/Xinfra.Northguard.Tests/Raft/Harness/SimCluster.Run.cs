using Xinfra.Northguard.Metadata.Raft;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>Driving the simulation: ticks, delivery and the host side of the Ready/Advance contract.</summary>
internal sealed partial class SimCluster
{
    /// <summary>One tick: every up node ticks, then every message due is delivered.</summary>
    public void Tick()
    {
        Now++;
        foreach (ulong id in _ids)
        {
            var node = Nodes[id];
            if (node.Raft is { } raft)
            {
                raft.Tick();
                ProcessReady(node);
            }
        }

        DeliverDue();
        if (CheckLogsEvery > 0 && Now % CheckLogsEvery == 0)
        {
            CheckLogs();
        }
    }

    public void Run(int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            Tick();
        }
    }

    /// <summary>Ticks until <paramref name="condition"/> holds; false if it did not within <paramref name="maxTicks"/>.</summary>
    public bool RunUntil(Func<bool> condition, int maxTicks)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (condition())
            {
                return true;
            }

            Tick();
        }

        return condition();
    }

    /// <summary>Delivers messages (ignoring their delays) until the network is quiet, without ticking.</summary>
    public void DeliverAll(int maxRounds = 10_000)
    {
        for (int i = 0; i < maxRounds && Network.InFlight > 0; i++)
        {
            DeliverDue(long.MaxValue);
        }
    }

    private void DeliverDue(long upTo = -1)
    {
        long now = upTo < 0 ? Now : upTo;
        while (Network.TryDequeue(now, out var message))
        {
            if (Nodes.TryGetValue(message.To, out var node) && node.Raft is { } raft)
            {
                raft.Step(message);
                ProcessReady(node);
            }

            if (upTo >= 0)
            {
                return;
            }
        }
    }

    /// <summary>Feeds a node directly and processes its output (proposals, reads, transfers).</summary>
    public T Do<T>(ulong id, Func<RaftNode, T> action)
    {
        var node = Nodes[id];
        var result = action(Raft(id));
        ProcessReady(node);
        return result;
    }

    public void CheckLogs()
    {
        for (int i = 0; i < _ids.Count; i++)
        {
            for (int j = i + 1; j < _ids.Count; j++)
            {
                if (Nodes[_ids[i]].Raft is { } a && Nodes[_ids[j]].Raft is { } b)
                {
                    SafetyChecker.CheckLogMatching(a, b);
                }
            }
        }
    }

    /// <summary>The host: persist, send, apply, advance.</summary>
    private void ProcessReady(SimNode node)
    {
        while (node.Raft is { HasReady: true } raft)
        {
            var ready = raft.GetReady();
            if (CrashBeforePersistRate > 0 && Random.NextDouble() < CrashBeforePersistRate)
            {
                Crash(node.Id); // Everything in the Ready is lost: it was never persisted nor sent.
                return;
            }

            if (ready.Snapshot is { } snapshot)
            {
                node.Storage.ApplySnapshot(snapshot);
            }

            node.Storage.Append(ready.Entries);
            if (ready.HardState is { } hs)
            {
                node.Storage.SetHardState(hs);
            }

            foreach (var message in ready.Messages)
            {
                Network.Send(message, Now);
            }

            Apply(node, ready);
            raft.Advance();
            Checker.ObserveRole(raft);
            MaybeCompact(node, raft);
        }
    }

    private void Apply(SimNode node, Ready ready)
    {
        if (ready.Snapshot is { } snapshot)
        {
            node.StateMachine.Restore(snapshot.Data);
            node.SnapshotsInstalled++;
        }

        foreach (var entry in ready.CommittedEntries)
        {
            node.StateMachine.Apply(entry);
            Checker.ObserveApply(node.Id, entry, node.StateMachine.Digest);
            OnApplied?.Invoke(node, entry);
        }

        node.WaitingReads.AddRange(ready.ReadStates);
        long applied = ready.CommittedEntries.Count > 0 ? ready.CommittedEntries[^1].Index
            : ready.Snapshot?.Index ?? node.Raft!.Applied;
        for (int i = node.WaitingReads.Count - 1; i >= 0; i--)
        {
            if (node.WaitingReads[i].Index <= applied)
            {
                OnRead?.Invoke(node, node.WaitingReads[i]);
                node.WaitingReads.RemoveAt(i);
            }
        }
    }

    private void MaybeCompact(SimNode node, RaftNode raft)
    {
        if (CompactEvery > 0 && raft.Applied - node.Storage.Snapshot.Index >= CompactEvery)
        {
            node.Storage.Compact(raft.Applied, raft.Voters, node.StateMachine.Snapshot());
        }
    }
}
