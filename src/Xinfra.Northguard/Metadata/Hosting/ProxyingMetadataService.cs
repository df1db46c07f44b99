using System.Collections.Concurrent;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// The broker's <see cref="IMetadataService"/>: serves a request locally when this broker can, otherwise proxies it
/// once to the vnode leader named by the <see cref="NotLeaderException"/> hint (the leader is asked not to proxy
/// further). When no leader is known the NotLeader error reaches the caller, who retries.
/// </summary>
public sealed class ProxyingMetadataService : IMetadataService, IDisposable
{
    private readonly LocalMetadataService _local;
    private readonly IBrokerDirectory _directory;
    private readonly ConcurrentDictionary<string, GrpcMetadataConnection> _connections = new();
    private long _proxied;

    private readonly Security.ChannelSecurity _channels;

    internal ProxyingMetadataService(LocalMetadataService local, IBrokerDirectory directory, Security.ChannelSecurity? channels = null)
    {
        _channels = channels ?? Security.ChannelSecurity.Plaintext;
        _local = local;
        _directory = directory;
    }

    /// <summary>How many requests were proxied to another broker.</summary>
    public long Proxied => Interlocked.Read(ref _proxied);

    /// <inheritdoc />
    public ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default) =>
        Run(s => s.CreateTopicAsync(name, policy, initialRanges, cancellationToken));

    /// <inheritdoc />
    public ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default) =>
        Run(s => s.DeleteTopicAsync(name, cancellationToken));

    /// <inheritdoc />
    public ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default) =>
        Run(s => s.DescribeTopicAsync(name, cancellationToken));

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default) =>
        Run(s => s.SplitRangeAsync(range, at, cancellationToken));

    /// <inheritdoc />
    public ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default) =>
        Run(s => s.MergeRangesAsync(left, right, cancellationToken));

    /// <inheritdoc />
    public ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default) =>
        Run(s => s.OpenSegmentAsync(range, replicas, cancellationToken));

    /// <inheritdoc />
    public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default) =>
        Run(s => s.SealSegmentAsync(segment, endOffset, cancellationToken));

    /// <inheritdoc />
    public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, long sizeBytes, CancellationToken cancellationToken = default) =>
        Run(s => s.SealSegmentAsync(segment, endOffset, sizeBytes, cancellationToken));

    /// <inheritdoc />
    public ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default) =>
        Run(s => s.SetAclAsync(topic, principal, operations, cancellationToken));

    /// <inheritdoc />
    public ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default) =>
        Run(s => s.GetAclAsync(topic, principal, cancellationToken));

    /// <inheritdoc />
    public ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default) =>
        Run(s => s.PutDocumentAsync(key, content, expectedVersion, cancellationToken));

    /// <inheritdoc />
    public ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default) =>
        Run(s => s.GetDocumentAsync(key, cancellationToken));

    /// <inheritdoc />
    public ValueTask ReplaceReplicaAsync(SegmentId segment, ulong from, ulong to, CancellationToken cancellationToken = default) =>
        Run(s => s.ReplaceReplicaAsync(segment, from, to, cancellationToken));

    /// <summary>
    /// Merges the answers of this broker and every other live broker (each lists the vnodes it leads). A broker that
    /// does not answer is skipped: the segments of the vnodes it leads wait for a later pass.
    /// </summary>
    public async ValueTask<IReadOnlyList<UnderReplicatedSegment>> ListUnderReplicatedSegmentsAsync(IReadOnlySet<ulong> liveBrokers, CancellationToken cancellationToken = default)
    {
        var all = new List<UnderReplicatedSegment>(await _local.ListUnderReplicatedSegmentsAsync(liveBrokers, cancellationToken).ConfigureAwait(false));
        foreach (var broker in _directory.Brokers)
        {
            if (!broker.IsLive || broker.Id == _directory.LocalBroker || _directory.EndpointOf(broker.Id) is not { } endpoint)
            {
                continue;
            }

            try
            {
                var connection = _connections.GetOrAdd(endpoint, ep => new GrpcMetadataConnection(ep, noProxy: true, _channels));
                all.AddRange(await connection.ListUnderReplicatedSegmentsAsync(liveBrokers, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is XinfraException or Grpc.Core.RpcException)
            {
                // Unreachable now; a later pass asks again.
            }
        }

        return UnderReplicatedQuery.Ordered(all);
    }

    /// <summary>Closes the connections to other brokers.</summary>
    public void Dispose()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Dispose();
        }

        _connections.Clear();
    }

    private async ValueTask Run(Func<IMetadataService, ValueTask> request) =>
        await Run(async s =>
        {
            await request(s).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async ValueTask<T> Run<T>(Func<IMetadataService, ValueTask<T>> request)
    {
        try
        {
            return await request(_local).ConfigureAwait(false);
        }
        catch (NotLeaderException e) when (e.LeaderHint != 0 && e.LeaderHint != _directory.LocalBroker && _directory.EndpointOf(e.LeaderHint) is not null)
        {
            string endpoint = _directory.EndpointOf(e.LeaderHint)!;
            var connection = _connections.GetOrAdd(endpoint, ep => new GrpcMetadataConnection(ep, noProxy: true, _channels));
            Interlocked.Increment(ref _proxied);
            return await request(connection).ConfigureAwait(false);
        }
    }
}
