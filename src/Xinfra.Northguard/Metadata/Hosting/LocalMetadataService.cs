using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// <see cref="IMetadataService"/> over this broker's own vnode replicas, safe to call from any thread: proposals and
/// reads start on the metadata loop and state is read there too (never from a continuation). Writes need this broker
/// to lead the vnode and reads need it to replicate the vnode; otherwise <see cref="NotLeaderException"/> with a hint.
/// </summary>
public sealed class LocalMetadataService : IMetadataService
{
    private readonly MetadataHost _host;

    internal LocalMetadataService(MetadataHost host) => _host = host;

    /// <inheritdoc />
    public async ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(policy);
        int vnode = _host.Ring.VnodeForTopic(name);
        await WriteAsync(vnode, new CreateTopicCommand(name, policy, initialRanges), name, cancellationToken).ConfigureAwait(false);
        return await StateAsync(vnode, s => s.Describe(name), cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownTopicException($"Topic '{name}' was deleted meanwhile.") { Topic = name };
    }

    /// <inheritdoc />
    public async ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await WriteAsync(_host.Ring.VnodeForTopic(name), new DeleteTopicCommand(name), name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await ReadAsync(_host.Ring.VnodeForTopic(name), s => s.Describe(name), cancellationToken).ConfigureAwait(false)
            ?? throw new UnknownTopicException($"Topic '{name}' does not exist.") { Topic = name };
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default) =>
        (await WriteAsync(_host.Ring.VnodeForRange(range), new SplitRangeCommand(range, at), null, cancellationToken).ConfigureAwait(false)).Ranges;

    /// <inheritdoc />
    public async ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default) =>
        (await WriteAsync(_host.Ring.VnodeForRange(left), new MergeRangesCommand(left, right), null, cancellationToken).ConfigureAwait(false)).Ranges[0];

    /// <inheritdoc />
    public async ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var result = await WriteAsync(_host.Ring.VnodeForRange(range), new OpenSegmentCommand(range, [.. replicas]), null, cancellationToken).ConfigureAwait(false);
        return result.Segment!.Value;
    }

    /// <inheritdoc />
    public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default) =>
        SealSegmentAsync(segment, endOffset, -1, cancellationToken);

    /// <inheritdoc />
    public async ValueTask SealSegmentAsync(SegmentId segment, long endOffset, long sizeBytes, CancellationToken cancellationToken = default) =>
        await WriteAsync(_host.Ring.VnodeForRange(segment.Range),
            new SealSegmentCommand(segment, endOffset) { SealedAtUnixMs = _host.Time.GetUtcNow().ToUnixTimeMilliseconds(), SizeBytes = sizeBytes },
            null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        await WriteAsync(_host.Ring.VnodeForTopic(topic), new SetAclCommand(topic, principal, operations), topic, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        return await ReadAsync(_host.Ring.VnodeForTopic(topic), s => s.GetAcl(topic, principal), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var command = new PutDocumentCommand(key, content.ToArray(), expectedVersion);
        return (await WriteAsync(_host.Ring.VnodeForTopic(key), command, null, cancellationToken).ConfigureAwait(false)).Version;
    }

    /// <inheritdoc />
    public async ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return await ReadAsync(_host.Ring.VnodeForTopic(key), s => s.TryGetDocument(key, out var d) ? d : null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask ReplaceReplicaAsync(SegmentId segment, ulong from, ulong to, CancellationToken cancellationToken = default) =>
        await WriteAsync(_host.Ring.VnodeForRange(segment.Range), new ReplaceReplicaCommand(segment, from, to), null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The under-replicated sealed segments of the vnodes this broker leads (read on the metadata loop from the
    /// leader's applied state; a replacement is checked again by the state machine when proposed).
    /// <see cref="ProxyingMetadataService"/> asks every broker and merges the answers.
    /// </summary>
    public async ValueTask<IReadOnlyList<UnderReplicatedSegment>> ListUnderReplicatedSegmentsAsync(IReadOnlySet<ulong> liveBrokers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(liveBrokers);
        var result = await _host.InvokeAsync(() =>
        {
            var found = new List<UnderReplicatedSegment>();
            foreach (int vnode in _host.HostedVnodes)
            {
                var coordinator = _host.Coordinator(vnode);
                if (coordinator.Node?.Role == Raft.RaftRole.Leader)
                {
                    UnderReplicatedQuery.Collect(coordinator.State, liveBrokers, found);
                }
            }

            return found;
        }, cancellationToken).ConfigureAwait(false);
        return UnderReplicatedQuery.Ordered(result);
    }

    /// <summary>
    /// The content of the vnodes this broker leads, read on the metadata loop from the leader's applied state (a
    /// leader that just lost its term may answer slightly stale content). The metadata client asks every broker.
    /// </summary>
    public Task<MetadataExport> ExportLedVnodesAsync(CancellationToken cancellationToken = default) =>
        _host.InvokeAsync(() =>
        {
            var vnodes = new List<int>();
            var topics = new List<TopicDescription>();
            var acls = new List<AclEntry>();
            var documents = new List<ConfigDocument>();
            foreach (int vnode in _host.HostedVnodes.Order())
            {
                var coordinator = _host.Coordinator(vnode);
                if (coordinator.Node?.Role == Raft.RaftRole.Leader)
                {
                    vnodes.Add(vnode);
                    topics.AddRange(coordinator.State.DescribeAll());
                    acls.AddRange(coordinator.State.AclEntries());
                    documents.AddRange(coordinator.State.AllDocuments());
                }
            }

            return new MetadataExport(vnodes, topics, acls, documents);
        }, cancellationToken);

    private async Task<MetadataResult> WriteAsync(int vnode, MetadataCommand command, string? topic, CancellationToken cancellationToken)
    {
        var (result, _) = await _host.RunAsync(() => _host.Coordinator(vnode).ProposeAsync(command), cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            MetadataStatus.Ok => result,
            MetadataStatus.TopicExists => throw new TopicExistsException(result.Message ?? "The topic exists.") { Topic = topic },
            MetadataStatus.UnknownTopic => throw new UnknownTopicException(result.Message ?? "The topic does not exist.") { Topic = topic },
            MetadataStatus.VersionMismatch => throw new DocumentVersionMismatchException(result.Message ?? "Version mismatch."),
            _ => throw new MetadataRequestException(result.Message ?? result.Status.ToString()) { Topic = topic },
        };
    }

    private async Task<T> ReadAsync<T>(int vnode, Func<VnodeStateMachine, T> read, CancellationToken cancellationToken)
    {
        await _host.RunAsync(() => _host.Coordinator(vnode).ReadAsync(), cancellationToken).ConfigureAwait(false);
        return await StateAsync(vnode, read, cancellationToken).ConfigureAwait(false);
    }

    // Runs on the loop after the read index (or the write) was applied: the state is at least that recent.
    private Task<T> StateAsync<T>(int vnode, Func<VnodeStateMachine, T> read, CancellationToken cancellationToken) =>
        _host.InvokeAsync(() => read(_host.Coordinator(vnode).State), cancellationToken);
}
