namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The output contract: <see cref="GetReady"/> then, after the host's work, <see cref="Advance"/>.</summary>
public sealed partial class RaftNode
{
    /// <summary>True when the node has something to persist, send, apply or report.</summary>
    public bool HasReady =>
        _outstanding is null && (_messages.Count > 0 || _readStates.Count > 0 || _log.HasUnstable
            || _log.PendingSnapshot is not null || _log.HasNextCommitted || CurrentHardState != _prevHardState);

    /// <summary>
    /// Collects the node's pending output. The node accepts no input until <see cref="Advance"/> is called.
    /// </summary>
    public Ready GetReady()
    {
        EnsureNoOutstandingReady();
        var hs = CurrentHardState;
        bool hardStateChanged = hs != _prevHardState;
        bool mustSync = _log.HasUnstable || _log.PendingSnapshot is not null
            || hs.Term != _prevHardState.Term || hs.Vote != _prevHardState.Vote;
        var ready = new Ready(
            Role,
            Leader,
            hardStateChanged ? hs : null,
            _log.UnstableEntries(),
            _log.PendingSnapshot,
            _log.PendingSnapshot is null ? _log.NextCommitted(_options.MaxCommittedPerReady) : [],
            TakeAll(ref _messages),
            TakeAll(ref _readStates),
            mustSync);
        _outstanding = ready;
        return ready;
    }

    /// <summary>Hands the list to a <see cref="Ready"/> and starts a new one; an empty list stays (most Readys have no reads).</summary>
    private static IReadOnlyList<T> TakeAll<T>(ref List<T> items)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var taken = items;
        items = [];
        return taken;
    }

    /// <summary>
    /// Tells the node the host persisted, sent and applied everything in the last <see cref="Ready"/>.
    /// Conf changes among its committed entries take effect now.
    /// </summary>
    public void Advance()
    {
        var ready = _outstanding ?? throw new InvalidOperationException("Advance without an outstanding Ready.");
        _outstanding = null;
        if (ready.HardState is { } hs)
        {
            _prevHardState = hs;
        }

        if (ready.Snapshot is { } snapshot)
        {
            _log.StableSnapshotTo(snapshot.Index);
            _log.AppliedTo(snapshot.Index);
        }

        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
        }

        var committed = ready.CommittedEntries;
        for (int i = 0; i < committed.Count; i++)
        {
            if (committed[i].Kind == EntryKind.ConfChange)
            {
                ApplyConfChange(ConfChange.Decode(committed[i].Data.Span));
            }
        }

        if (committed.Count > 0)
        {
            _log.AppliedTo(committed[^1].Index);
        }
    }
}
