using Xinfra.Northguard.Metadata.Raft;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>The Raft safety properties (Figure 3 of the paper), checked as the simulation runs.</summary>
internal sealed class SafetyChecker
{
    private readonly Dictionary<long, ulong> _leaderOfTerm = [];
    private readonly Dictionary<long, LogEntry> _committed = [];
    private readonly Dictionary<long, ulong> _digestAt = [];
    private readonly Dictionary<ulong, long> _leaderTermChecked = [];

    public long MaxCommittedIndex { get; private set; }

    public int CommittedCount => _committed.Count;

    public bool WasCommitted(long index, long term) => _committed.TryGetValue(index, out var e) && e.Term == term;

    /// <summary>Election safety: at most one leader per term.</summary>
    public void ObserveRole(RaftNode node)
    {
        if (node.Role != RaftRole.Leader)
        {
            return;
        }

        if (_leaderOfTerm.TryGetValue(node.Term, out ulong leader) && leader != node.Id)
        {
            throw new RaftSafetyException($"Two leaders in term {node.Term}: {leader} and {node.Id}.");
        }

        _leaderOfTerm[node.Term] = node.Id;
        if (!_leaderTermChecked.TryGetValue(node.Id, out long checkedTerm) || checkedTerm != node.Term)
        {
            _leaderTermChecked[node.Id] = node.Term;
            CheckLeaderCompleteness(node);
        }
    }

    /// <summary>Leader completeness: a new leader holds every entry committed so far.</summary>
    private void CheckLeaderCompleteness(RaftNode leader)
    {
        foreach (var (index, entry) in _committed)
        {
            if (index < leader.FirstIndex)
            {
                continue; // Covered by the leader's snapshot, which only holds committed entries.
            }

            if (!leader.TryGetTerm(index, out long term) || term != entry.Term)
            {
                throw new RaftSafetyException($"Leader {leader.Id} of term {leader.Term} lacks committed entry {index}.");
            }
        }
    }

    /// <summary>State machine safety: every node applies the same entry at each index, leaving the same state.</summary>
    public void ObserveApply(ulong node, in LogEntry entry, ulong digestAfter)
    {
        if (_committed.TryGetValue(entry.Index, out var known))
        {
            if (!known.SameAs(entry))
            {
                throw new RaftSafetyException(
                    $"Node {node} applied ({entry.Index}, t{entry.Term}) but ({known.Index}, t{known.Term}) was applied before.");
            }

            if (_digestAt[entry.Index] != digestAfter)
            {
                throw new RaftSafetyException($"Node {node} diverged after applying {entry.Index}.");
            }

            return;
        }

        _committed[entry.Index] = entry;
        _digestAt[entry.Index] = digestAfter;
        MaxCommittedIndex = Math.Max(MaxCommittedIndex, entry.Index);
    }

    /// <summary>Log matching: if two logs hold an entry with the same index and term, they are identical up to it.</summary>
    public static void CheckLogMatching(RaftNode a, RaftNode b)
    {
        long low = Math.Max(a.FirstIndex, b.FirstIndex);
        long high = Math.Min(a.LastIndex, b.LastIndex);
        if (high < low)
        {
            return;
        }

        var ea = a.GetEntries(low, high + 1);
        var eb = b.GetEntries(low, high + 1);
        bool matched = false;
        for (int i = ea.Count - 1; i >= 0; i--)
        {
            bool sameTerm = ea[i].Term == eb[i].Term;
            if (matched && !sameTerm)
            {
                throw new RaftSafetyException($"Logs of {a.Id} and {b.Id} match above {ea[i].Index} but not at it.");
            }

            if (sameTerm)
            {
                matched = true;
                if (!ea[i].SameAs(eb[i]))
                {
                    throw new RaftSafetyException($"Entry {ea[i].Index} has the same term on {a.Id} and {b.Id} but differs.");
                }
            }
        }
    }
}

/// <summary>A Raft safety property was violated.</summary>
internal sealed class RaftSafetyException(string message) : Exception(message);
