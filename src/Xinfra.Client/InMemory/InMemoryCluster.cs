using Xinfra.Internal;
using Xinfra.Transport;

namespace Xinfra.InMemory;

/// <summary>
/// An in-process cluster: topics of partitions holding records, and consumer groups with committed offsets. Thread-safe;
/// one lock guards it all, which is plenty for tests and samples.
/// </summary>
public sealed partial class InMemoryCluster
{
    private readonly Dictionary<string, List<StoredRecord>[]> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InMemoryGroup> _groups = new(StringComparer.Ordinal);

    internal InMemoryCluster(string name) => Name = name;

    /// <summary>The cluster's name (its bootstrap string).</summary>
    public string Name { get; }

    /// <summary>
    /// Fault injection for tests and demos: while true, every produce to this cluster fails with a transient
    /// <see cref="ClusterUnavailableException"/>, as an unreachable cluster would. Reads keep working.
    /// </summary>
    public bool FailProduces
    {
        get => Volatile.Read(ref _failProduces);
        set => Volatile.Write(ref _failProduces, value);
    }

    private bool _failProduces;

    internal Lock Sync { get; } = new();

    internal ChangeSignal Changed { get; } = new();

    /// <summary>The names of the topics that exist.</summary>
    public IReadOnlyList<string> TopicNames
    {
        get
        {
            lock (Sync)
            {
                return [.. _topics.Keys];
            }
        }
    }

    /// <summary>Creates a topic with <paramref name="partitions"/> partitions; false if it already exists.</summary>
    public bool CreateTopic(string topic, int partitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (Sync)
        {
            if (_topics.ContainsKey(topic))
            {
                return false;
            }

            var lists = new List<StoredRecord>[partitions];
            for (var i = 0; i < partitions; i++)
            {
                lists[i] = [];
            }

            _topics.Add(topic, lists);
        }

        Changed.Pulse();
        return true;
    }

    /// <summary>The number of partitions of <paramref name="topic"/>, or 0 when it does not exist.</summary>
    public int PartitionCount(string topic)
    {
        lock (Sync)
        {
            return _topics.TryGetValue(topic, out var p) ? p.Length : 0;
        }
    }

    /// <summary>A copy of the records stored in one partition, in offset order.</summary>
    public IReadOnlyList<StoredRecord> ReadAll(string topic, int partition)
    {
        lock (Sync)
        {
            return [.. Partitions(topic)[partition]];
        }
    }

    /// <summary>The members of consumer group <paramref name="groupId"/> right now (none if the group is unknown).</summary>
    public int GroupMemberCount(string groupId)
    {
        lock (Sync)
        {
            return _groups.TryGetValue(groupId, out var group) ? group.MemberCount : 0;
        }
    }

    internal List<StoredRecord>[] Partitions(string topic) =>
        _topics.TryGetValue(topic, out var partitions)
            ? partitions
            : throw new UnknownTopicException($"Topic '{topic}' does not exist on in-memory cluster '{Name}'.");

    internal bool TryGetPartitions(string topic, out List<StoredRecord>[] partitions) =>
        _topics.TryGetValue(topic, out partitions!);

    internal StoredRecord Append(string topic, int partition, OutgoingRecord record)
    {
        StoredRecord stored;
        lock (Sync)
        {
            var log = Partitions(topic)[partition];
            stored = new StoredRecord(log.Count, Copy(record.Key), Copy(record.Value), Copy(record.Headers), record.Timestamp);
            log.Add(stored);
        }

        Changed.Pulse();
        return stored;
    }

    internal InMemoryGroup Group(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            group = new InMemoryGroup(this, groupId);
            _groups.Add(groupId, group);
        }

        return group;
    }

    private static ReadOnlyMemory<byte>? Copy(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? b.ToArray() : default(ReadOnlyMemory<byte>?);

    private static XinfraHeader[] Copy(IReadOnlyList<XinfraHeader> headers)
    {
        var copy = new XinfraHeader[headers.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = new XinfraHeader(headers[i].Name, headers[i].Value.ToArray());
        }

        return copy;
    }
}
