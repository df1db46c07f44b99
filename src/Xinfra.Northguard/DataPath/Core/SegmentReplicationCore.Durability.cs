namespace Xinfra.Northguard.DataPath.Core;

/// <summary>Durable reports, the committed offset, timeouts and sealing.</summary>
public sealed partial class SegmentReplicationCore<TToken>
{
    /// <summary>
    /// <paramref name="replica"/> reports every record below <paramref name="end"/> durable. Returns the appends
    /// this commits (durable on every replica now), in append order, or <see cref="DurableVerdict.Lied"/> when a
    /// follower reports more than it was sent (the caller seals; nothing is recorded).
    /// </summary>
    public DurableOutcome<TToken> OnDurable(ulong replica, long end)
    {
        if (!_durable.TryGetValue(replica, out long previous))
        {
            throw new ArgumentException($"{replica} is not a replica of this segment.", nameof(replica));
        }

        if (IsSealing || end <= previous)
        {
            return new(DurableVerdict.Ignored, []);
        }

        if (replica != _leader && end > _sentEnd[replica])
        {
            return new(DurableVerdict.Lied, []);
        }

        _durable[replica] = end;
        long min = long.MaxValue;
        foreach (long durable in _durable.Values)
        {
            min = Math.Min(min, durable);
        }

        if (min <= Committed)
        {
            return new(DurableVerdict.Recorded, []);
        }

        Committed = min;
        List<PendingAppend<TToken>>? committed = null;
        while (_pending.TryPeek(out var head) && head.End <= min)
        {
            (committed ??= []).Add(_pending.Dequeue());
        }

        return new(DurableVerdict.Recorded, committed is null ? [] : committed);
    }

    /// <summary>
    /// Checks the time limits: the segment's age, then whether the oldest pending append waited longer than the
    /// replica timeout for some replica (which one is named). Null while nothing is due or once sealing.
    /// </summary>
    public SealDecision? Tick(TimeSpan now)
    {
        if (IsSealing)
        {
            return null;
        }

        if (now - _createdAt >= _limits.MaxAge)
        {
            return new SealDecision(SealCause.AgeLimit, 0);
        }

        if (_pending.TryPeek(out var oldest) && now - oldest.AppendedAt >= _limits.ReplicaTimeout)
        {
            foreach (var (replica, durable) in _durable)
            {
                if (durable < oldest.End)
                {
                    return new SealDecision(SealCause.ReplicaTimedOut, replica);
                }
            }
        }

        return null;
    }

    /// <summary>A replica's stream failed or it refused an append: seal, unless sealing already.</summary>
    public SealDecision? OnReplicaFailed(ulong replica)
    {
        if (!_durable.ContainsKey(replica))
        {
            throw new ArgumentException($"{replica} is not a replica of this segment.", nameof(replica));
        }

        return IsSealing ? null : new SealDecision(SealCause.ReplicaFailed, replica);
    }

    /// <summary>
    /// Starts sealing at the committed offset: from now on nothing is admitted or acknowledged. Returns the end and
    /// the producers still waiting (they were not acknowledged and resend on the next segment); a second call returns
    /// <see cref="SealStart{TToken}.Started"/> false.
    /// </summary>
    public SealStart<TToken> Seal()
    {
        if (IsSealing)
        {
            return new(false, Committed, []);
        }

        IsSealing = true;
        var waiting = _pending.ToArray();
        _pending.Clear();
        return new(true, Committed, waiting);
    }
}
