using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Service;

/// <summary>
/// The unary metadata operations, linearizable per vnode. Errors: <see cref="NotLeaderException"/> (retry on the
/// leader), <see cref="TopicExistsException"/>, <see cref="UnknownTopicException"/>,
/// <see cref="MetadataRequestException"/>, <see cref="DocumentVersionMismatchException"/>.
/// </summary>
public interface IMetadataService
{
    /// <summary>Creates a topic with <paramref name="initialRanges"/> ranges covering the key space.</summary>
    ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default);

    /// <summary>Deletes a topic with its ranges and segments.</summary>
    ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Reads a topic linearizably (read index; followers may serve it).</summary>
    ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Splits an active range at key hash <paramref name="at"/>; returns the two children.</summary>
    ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default);

    /// <summary>Merges two adjacent active ranges; returns the child.</summary>
    ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default);

    /// <summary>Opens the next segment of an active range on <paramref name="replicas"/>.</summary>
    ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default);

    /// <summary>Seals an open segment at <paramref name="endOffset"/>.</summary>
    ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seals an open segment at <paramref name="endOffset"/>, recording its size (bytes, -1 unknown) for retention by
    /// size. Services that do not keep sizes seal without it (the default).
    /// </summary>
    ValueTask SealSegmentAsync(SegmentId segment, long endOffset, long sizeBytes, CancellationToken cancellationToken = default) =>
        SealSegmentAsync(segment, endOffset, cancellationToken);

    /// <summary>Sets what <paramref name="principal"/> may do on <paramref name="topic"/> (none revokes).</summary>
    ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default);

    /// <summary>Reads what <paramref name="principal"/> may do on <paramref name="topic"/> (linearizable).</summary>
    ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a config-service document if its version is <paramref name="expectedVersion"/> (0: must not exist;
    /// -1: unconditional); returns the new version. Documents route by key like topic names.
    /// </summary>
    ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Reads a config-service document (linearizable); null when absent.</summary>
    ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the sealed segments holding a replica on a broker not in <paramref name="liveBrokers"/>, ordered by range
    /// then sequence, across every vnode. Implementations that cannot enumerate every vnode throw
    /// <see cref="NotSupportedException"/> (the default).
    /// </summary>
    ValueTask<IReadOnlyList<UnderReplicatedSegment>> ListUnderReplicatedSegmentsAsync(IReadOnlySet<ulong> liveBrokers, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This metadata service cannot list under-replicated segments.");

    /// <summary>
    /// Records that the replica of sealed <paramref name="segment"/> on <paramref name="from"/> was replaced by a
    /// complete copy on <paramref name="to"/>. Fails with <see cref="MetadataRequestException"/> when the segment is
    /// not sealed, <paramref name="from"/> holds no replica or <paramref name="to"/> already holds one. The default
    /// throws <see cref="NotSupportedException"/>.
    /// </summary>
    ValueTask ReplaceReplicaAsync(SegmentId segment, ulong from, ulong to, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This metadata service cannot replace replicas.");
}
