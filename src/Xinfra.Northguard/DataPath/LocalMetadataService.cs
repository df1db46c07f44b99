using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// An in-process <see cref="IMetadataService"/> for one embedded cluster: the real <see cref="VnodeStateMachine"/>
/// per vnode, commands applied under one lock (linearizable), no Raft and no persistence. Shared by every broker of
/// the cluster through <see cref="LocalMetadataModule"/>; the Raft-backed metadata module replaces it.
/// </summary>
public sealed class LocalMetadataService : IMetadataService
{
    private readonly Lock _lock = new();
    private readonly VnodeRing _ring;
    private readonly Dictionary<int, VnodeStateMachine> _vnodes = [];

    /// <summary>Creates the service over a ring of <paramref name="vnodes"/> vnodes.</summary>
    public LocalMetadataService(int vnodes = 16)
    {
        _ring = new VnodeRing(vnodes);
    }

    /// <inheritdoc />
    public ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(policy);
        int vnode = _ring.VnodeForTopic(name);
        lock (_lock)
        {
            Check(State(vnode).Apply(new CreateTopicCommand(name, policy, initialRanges)), name);
            return ValueTask.FromResult(State(vnode).Describe(name)!);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default) =>
        Write(_ring.VnodeForTopic(name), new DeleteTopicCommand(name), name);

    /// <inheritdoc />
    public ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_lock)
        {
            return ValueTask.FromResult(State(_ring.VnodeForTopic(name)).Describe(name)
                ?? throw new UnknownTopicException($"Topic '{name}' does not exist.") { Topic = name });
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var result = State(_ring.VnodeForRange(range)).Apply(new SplitRangeCommand(range, at));
            Check(result, null);
            return ValueTask.FromResult(result.Ranges);
        }
    }

    /// <inheritdoc />
    public ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var result = State(_ring.VnodeForRange(left)).Apply(new MergeRangesCommand(left, right));
            Check(result, null);
            return ValueTask.FromResult(result.Ranges[0]);
        }
    }

    /// <inheritdoc />
    public ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var result = State(_ring.VnodeForRange(range)).Apply(new OpenSegmentCommand(range, replicas));
            Check(result, null);
            return ValueTask.FromResult(result.Segment!.Value);
        }
    }

    /// <inheritdoc />
    public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default) =>
        Write(_ring.VnodeForRange(segment.Range), new SealSegmentCommand(segment, endOffset), null);

    /// <inheritdoc />
    public ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default) =>
        Write(_ring.VnodeForTopic(topic), new SetAclCommand(topic, principal, operations), topic);

    /// <inheritdoc />
    public ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(State(_ring.VnodeForTopic(topic)).GetAcl(topic, principal));
        }
    }

    /// <inheritdoc />
    public ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var result = State(_ring.VnodeForTopic(key)).Apply(new PutDocumentCommand(key, content, expectedVersion));
            Check(result, null);
            return ValueTask.FromResult(result.Version);
        }
    }

    /// <inheritdoc />
    public ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(State(_ring.VnodeForTopic(key)).TryGetDocument(key, out var document) ? document : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<UnderReplicatedSegment>> ListUnderReplicatedSegmentsAsync(IReadOnlySet<ulong> liveBrokers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(liveBrokers);
        var result = new List<UnderReplicatedSegment>();
        lock (_lock)
        {
            foreach (var state in _vnodes.Values)
            {
                UnderReplicatedQuery.Collect(state, liveBrokers, result);
            }
        }

        return ValueTask.FromResult(UnderReplicatedQuery.Ordered(result));
    }

    /// <inheritdoc />
    public ValueTask ReplaceReplicaAsync(SegmentId segment, ulong from, ulong to, CancellationToken cancellationToken = default) =>
        Write(_ring.VnodeForRange(segment.Range), new ReplaceReplicaCommand(segment, from, to), null);

    private ValueTask Write(int vnode, MetadataCommand command, string? topic)
    {
        lock (_lock)
        {
            Check(State(vnode).Apply(command), topic);
        }

        return ValueTask.CompletedTask;
    }

    private VnodeStateMachine State(int vnode)
    {
        if (!_vnodes.TryGetValue(vnode, out var state))
        {
            state = new VnodeStateMachine(vnode);
            _vnodes[vnode] = state;
        }

        return state;
    }

    private static void Check(MetadataResult result, string? topic)
    {
        switch (result.Status)
        {
            case MetadataStatus.Ok:
                return;
            case MetadataStatus.TopicExists:
                throw new TopicExistsException(result.Message ?? "The topic exists.") { Topic = topic };
            case MetadataStatus.UnknownTopic:
                throw new UnknownTopicException(result.Message ?? "The topic does not exist.") { Topic = topic };
            case MetadataStatus.VersionMismatch:
                throw new DocumentVersionMismatchException(result.Message ?? "Version mismatch.");
            default:
                throw new MetadataRequestException(result.Message ?? result.Status.ToString()) { Topic = topic };
        }
    }
}
