using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Service;

/// <summary>
/// <see cref="IMetadataService"/> over the vnodes this broker hosts: routes each request through the ring to its
/// vnode's coordinator. Writes need this broker to lead the vnode; reads may be served by any replica. Requests for
/// vnodes not hosted here fail with <see cref="NotLeaderException"/> (proxying is the gRPC layer's job).
/// Call it on the host's thread; its tasks complete once the host loop applies the request.
/// </summary>
public sealed class MetadataService : IMetadataService
{
    private readonly VnodeRing _ring;
    private readonly IReadOnlyDictionary<int, VnodeCoordinator> _vnodes;

    /// <summary>Creates the service over the ring and this broker's coordinators by vnode.</summary>
    public MetadataService(VnodeRing ring, IReadOnlyDictionary<int, VnodeCoordinator> vnodes)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(vnodes);
        _ring = ring;
        _vnodes = vnodes;
    }

    /// <inheritdoc />
    public async ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(policy);
        var (result, state) = await Write(_ring.VnodeForTopic(name), new CreateTopicCommand(name, policy, initialRanges), cancellationToken)
            .ConfigureAwait(false);
        Check(result, name);
        return state.Describe(name) ?? throw new UnknownTopicException($"Topic '{name}' was deleted meanwhile.") { Topic = name };
    }

    /// <inheritdoc />
    public async ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var (result, _) = await Write(_ring.VnodeForTopic(name), new DeleteTopicCommand(name), cancellationToken).ConfigureAwait(false);
        Check(result, name);
    }

    /// <inheritdoc />
    public async ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var state = await Coordinator(_ring.VnodeForTopic(name)).ReadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return state.Describe(name) ?? throw new UnknownTopicException($"Topic '{name}' does not exist.") { Topic = name };
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default)
    {
        var (result, _) = await Write(_ring.VnodeForRange(range), new SplitRangeCommand(range, at), cancellationToken).ConfigureAwait(false);
        Check(result, null);
        return result.Ranges;
    }

    /// <inheritdoc />
    public async ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default)
    {
        var (result, _) = await Write(_ring.VnodeForRange(left), new MergeRangesCommand(left, right), cancellationToken).ConfigureAwait(false);
        Check(result, null);
        return result.Ranges[0];
    }

    /// <inheritdoc />
    public async ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var (result, _) = await Write(_ring.VnodeForRange(range), new OpenSegmentCommand(range, [.. replicas]), cancellationToken)
            .ConfigureAwait(false);
        Check(result, null);
        return result.Segment!.Value;
    }

    /// <inheritdoc />
    public async ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default)
    {
        var (result, _) = await Write(_ring.VnodeForRange(segment.Range), new SealSegmentCommand(segment, endOffset), cancellationToken)
            .ConfigureAwait(false);
        Check(result, null);
    }

    /// <inheritdoc />
    public async ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        var (result, _) = await Write(_ring.VnodeForTopic(topic), new SetAclCommand(topic, principal, operations), cancellationToken)
            .ConfigureAwait(false);
        Check(result, topic);
    }

    /// <inheritdoc />
    public async ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        var state = await Coordinator(_ring.VnodeForTopic(topic)).ReadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return state.GetAcl(topic, principal);
    }

    /// <inheritdoc />
    public async ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var (result, _) = await Write(_ring.VnodeForTopic(key), new PutDocumentCommand(key, content.ToArray(), expectedVersion), cancellationToken)
            .ConfigureAwait(false);
        Check(result, null);
        return result.Version;
    }

    /// <inheritdoc />
    public async ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var state = await Coordinator(_ring.VnodeForTopic(key)).ReadAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return state.TryGetDocument(key, out var document) ? document : null;
    }

    private Task<(MetadataResult Result, VnodeStateMachine State)> Write(int vnode, MetadataCommand command, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Coordinator(vnode).ProposeAsync(command).WaitAsync(cancellationToken);
    }

    private VnodeCoordinator Coordinator(int vnode) =>
        _vnodes.TryGetValue(vnode, out var coordinator)
            ? coordinator
            : throw new NotLeaderException($"Vnode {vnode} is not hosted on this broker.", vnode, 0);

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
