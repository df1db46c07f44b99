namespace Xinfra.Northguard.DataPath;

/// <summary>Durable offsets reported by the replicas, the committed offset, and acks.</summary>
internal sealed partial class SegmentLeader
{
    /// <summary>A replica reports every record below <paramref name="end"/> durable.</summary>
    public void OnDurable(ulong replica, long end)
    {
        bool lied = false;
        lock (_lock)
        {
            if (_sealing || end <= _durable[replica])
            {
                return;
            }

            if (replica != _engine.BrokerId && end > _sentEnd[replica])
            {
                lied = true;
            }
            else
            {
                _durable[replica] = end;
                long min = long.MaxValue;
                foreach (long durable in _durable.Values)
                {
                    min = Math.Min(min, durable);
                }

                if (min > _committed)
                {
                    _committed = min;
                    AckCommitted();
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        if (lied)
        {
            FailReplica(replica, new InvalidOperationException($"Replica {replica} reported offset {end} durable beyond what it was sent."));
        }
    }

    private void AckCommitted()
    {
        Dictionary<ProduceSession, List<AckedAppend>>? acks = null;
        while (_pending.TryPeek(out var head) && head.End <= _committed)
        {
            _pending.Dequeue();
            acks ??= [];
            if (!acks.TryGetValue(head.Session, out var list))
            {
                acks[head.Session] = list = [];
            }

            list.Add(new AckedAppend(head.Sequence, head.Base));
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
        if (!IsSealing)
        {
            _engine.Suspect(replica);
            DataPathLog.ReplicaFailed(_engine.Logger, replica, Id.ToString(), exception);
            _ = SealAsync($"replica {replica} failed");
        }
    }
}
