using Xinfra.Transport;

namespace Xinfra.InMemory;

/// <summary>
/// A consumer group of an in-memory cluster. Partitions are spread over members per topic (range assignment);
/// a partition that moves is handed over only after its old owner revoked it (and could commit), so two members
/// never read the same partition at once. Every member is called under the cluster lock.
/// </summary>
internal sealed class InMemoryGroup(InMemoryCluster cluster, string groupId)
{
    private readonly SortedDictionary<string, string[]> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<TopicPartition, string> _target = [];
    private readonly Dictionary<TopicPartition, string> _owner = [];
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);

    public string GroupId { get; } = groupId;

    public int Generation { get; private set; }

    public int MemberCount => _members.Count;

    public void Join(string memberId, string[] topics)
    {
        _members[memberId] = topics;
        Rebalance();
    }

    public void Leave(string memberId)
    {
        if (!_members.Remove(memberId))
        {
            return;
        }

        foreach (var (tp, owner) in _owner.ToArray())
        {
            if (owner == memberId)
            {
                _owner.Remove(tp);
            }
        }

        Rebalance();
    }

    /// <summary>Rebalances when a subscribed topic was created since the last assignment.</summary>
    public void RefreshTopology()
    {
        foreach (var topics in _members.Values)
        {
            foreach (var topic in topics)
            {
                var count = cluster.PartitionCount(topic);
                if (!_partitionCounts.TryGetValue(topic, out var known) || known != count)
                {
                    Rebalance();
                    return;
                }
            }
        }
    }

    public bool IsTarget(TopicPartition tp, string memberId) => _target.TryGetValue(tp, out var m) && m == memberId;

    /// <summary>Partitions meant for <paramref name="memberId"/> that nobody holds any more: the member may take them.</summary>
    public List<TopicPartition> Claimable(string memberId)
    {
        var result = new List<TopicPartition>();
        foreach (var (tp, member) in _target)
        {
            if (member == memberId && !_owner.ContainsKey(tp))
            {
                result.Add(tp);
            }
        }

        result.Sort(static (a, b) => a.Topic == b.Topic ? a.Partition.CompareTo(b.Partition) : string.CompareOrdinal(a.Topic, b.Topic));
        return result;
    }

    public void Take(TopicPartition tp, string memberId) => _owner[tp] = memberId;

    public void Release(TopicPartition tp, string memberId)
    {
        if (_owner.TryGetValue(tp, out var owner) && owner == memberId)
        {
            _owner.Remove(tp);
        }
    }

    public long Committed(TopicPartition tp) => _committed.TryGetValue(tp, out var offset) ? offset : -1;

    public void Commit(TopicPartition tp, long offset) => _committed[tp] = offset;

    private void Rebalance()
    {
        Generation++;
        _target.Clear();
        _partitionCounts.Clear();
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var subscribed in _members.Values)
        {
            topics.UnionWith(subscribed);
        }

        foreach (var topic in topics)
        {
            var count = cluster.PartitionCount(topic);
            _partitionCounts[topic] = count;
            var members = new List<string>();
            foreach (var (member, subscribed) in _members)
            {
                if (Array.IndexOf(subscribed, topic) >= 0)
                {
                    members.Add(member);
                }
            }

            // Range assignment: contiguous blocks, the first members get one extra when it does not divide evenly.
            var perMember = count / members.Count;
            var extra = count % members.Count;
            var next = 0;
            for (var m = 0; m < members.Count; m++)
            {
                var take = perMember + (m < extra ? 1 : 0);
                for (var i = 0; i < take; i++)
                {
                    _target[new TopicPartition(topic, next++)] = members[m];
                }
            }
        }

        cluster.Changed.Pulse();
    }
}
