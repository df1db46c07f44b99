using Xinfra.Northguard.DataPath.Core;

namespace Xinfra.Northguard.DataPath;

/// <summary>Durable offsets reported by the replicas, the committed offset, and acks (decided by the core).</summary>
internal sealed partial class SegmentLeader
{
    /// <summary>A replica reports every record below <paramref name="end"/> durable.</summary>
    public void OnDurable(ulong replica, long end)
    {
        DurableOutcome<ProduceSession> outcome;
        lock (_lock)
        {
            long committed = _core.Committed;
            outcome = _core.OnDurable(replica, end);
            if (replica == _engine.BrokerId)
            {
                TimeDurable(local: true, end);
            }

            if (_core.Committed > committed)
            {
                Acknowledge(outcome.Committed);
                TimeDurable(local: false, _core.Committed);
                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (outcome.Verdict == DurableVerdict.Lied)
        {
            FailReplica(replica, new InvalidOperationException($"Replica {replica} reported offset {end} durable beyond what it was sent."));
        }
    }

    /// <summary>Sends the acks of newly committed appends, one message per produce stream, in append order.</summary>
    private static void Acknowledge(IReadOnlyList<PendingAppend<ProduceSession>> committed)
    {
        Dictionary<ProduceSession, List<AckedAppend>>? acks = null;
        foreach (var append in committed)
        {
            acks ??= [];
            if (!acks.TryGetValue(append.Token, out var list))
            {
                acks[append.Token] = list = [];
            }

            list.Add(new AckedAppend(append.Sequence, append.BaseOffset));
        }

        if (acks is not null)
        {
            foreach (var (session, list) in acks)
            {
                session.SendAcks(list);
            }
        }
    }

    /// <summary>A follower's stream failed, timed out or lied: the segment is sealed.</summary>
    public void FailReplica(ulong replica, Exception? exception)
    {
        SealDecision? decision;
        lock (_lock)
        {
            decision = _core.OnReplicaFailed(replica);
        }

        if (decision is { } seal)
        {
            _engine.Suspect(replica);
            DataPathLog.ReplicaFailed(_engine.Logger, replica, Id.ToString(), exception);
            _ = SealAsync(seal.ToString());
        }
    }
}
