using Xinfra.Northguard.Metadata.Raft.Internal;

namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Single-server membership changes, effective when applied (one at a time).</summary>
public sealed partial class RaftNode
{
    /// <summary>
    /// Leader only: proposes adding or removing one voter. Refused while an earlier change is not yet applied, and
    /// until the leader has applied an entry of its own term.
    /// </summary>
    public ProposeResult ProposeConfChange(ConfChange change)
    {
        EnsureNoOutstandingReady();
        if (Role != RaftRole.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, Term, Leader);
        }

        if (_pendingConfIndex > _log.Applied)
        {
            return new ProposeResult(ProposeStatus.ConfChangePending, 0, Term, Id);
        }

        bool isVoter = _voters.Contains(change.NodeId);
        if (change.NodeId == 0 || (change.Type == ConfChangeType.AddNode) == isVoter
            || (change.Type == ConfChangeType.RemoveNode && _voters.Count == 1))
        {
            return new ProposeResult(ProposeStatus.Invalid, 0, Term, Id);
        }

        var result = ProposeEntry(EntryKind.ConfChange, change.Encode());
        if (result.IsAccepted)
        {
            _pendingConfIndex = result.Index;
        }

        return result;
    }

    /// <summary>Applies a committed conf change (called from <see cref="Advance"/>).</summary>
    private void ApplyConfChange(ConfChange change)
    {
        if (change.Type == ConfChangeType.AddNode)
        {
            AddVoter(change.NodeId);
            if (Role == RaftRole.Leader && !_progress.ContainsKey(change.NodeId))
            {
                _progress[change.NodeId] = new Progress(_log.LastIndex + 1) { RecentActive = true };
                SendAppend(change.NodeId, sendIfEmpty: true);
            }

            return;
        }

        _voters.Remove(change.NodeId);
        if (Role != RaftRole.Leader)
        {
            return;
        }

        _progress.Remove(change.NodeId);
        if (change.NodeId == Id)
        {
            // The removed leader steps down; the remaining voters elect a new one.
            BecomeFollower(Term, 0);
            return;
        }

        if (_leadTransferee == change.NodeId)
        {
            _leadTransferee = 0;
        }

        // A smaller quorum may commit more.
        if (MaybeCommit())
        {
            BroadcastAppend();
        }
    }
}
