using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Client;

/// <summary>The metadata operations, each routed to its vnode's leader.</summary>
public sealed partial class NorthguardMetadataClient
{
    /// <inheritdoc />
    public ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(policy);
        return ForTopic(name, s => s.CreateTopicAsync(name, policy, initialRanges, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        await ForTopic(name, async s =>
        {
            await s.DeleteTopicAsync(name, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ForTopic(name, s => s.DescribeTopicAsync(name, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default) =>
        InvokeAsync(_ => range.Vnode, s => s.SplitRangeAsync(range, at, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default) =>
        InvokeAsync(_ => left.Vnode, s => s.MergeRangesAsync(left, right, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        return InvokeAsync(_ => range.Vnode, s => s.OpenSegmentAsync(range, replicas, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default) =>
        SealSegmentAsync(segment, endOffset, -1, cancellationToken);

    /// <inheritdoc />
    public async ValueTask SealSegmentAsync(SegmentId segment, long endOffset, long sizeBytes, CancellationToken cancellationToken = default) =>
        await InvokeAsync(_ => segment.Range.Vnode, async s =>
        {
            await s.SealSegmentAsync(segment, endOffset, sizeBytes, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask ReplaceReplicaAsync(SegmentId segment, ulong from, ulong to, CancellationToken cancellationToken = default) =>
        await InvokeAsync(_ => segment.Range.Vnode, async s =>
        {
            await s.ReplaceReplicaAsync(segment, from, to, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The under-replicated sealed segments of the whole cluster: every live broker answers for the vnodes it leads and
    /// the answers are merged (a broker that does not answer is skipped; its vnodes are listed once re-elected).
    /// </summary>
    public async ValueTask<IReadOnlyList<UnderReplicatedSegment>> ListUnderReplicatedSegmentsAsync(IReadOnlySet<ulong> liveBrokers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(liveBrokers);
        var found = new List<UnderReplicatedSegment>();
        foreach (var broker in await ListBrokersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!broker.IsLive || broker.Port == 0)
            {
                continue;
            }

            try
            {
                found.AddRange(await Connection($"{_security.Scheme}://{broker.Host}:{broker.Port}").ListUnderReplicatedSegmentsAsync(liveBrokers, cancellationToken).ConfigureAwait(false));
            }
            catch (MetadataUnavailableException) when (!cancellationToken.IsCancellationRequested)
            {
                // Unreachable now: its vnodes get another leader, which answers on the next call.
            }
        }

        return UnderReplicatedQuery.Ordered(found);
    }

    /// <inheritdoc />
    public async ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        await ForTopic(topic, async s =>
        {
            await s.SetAclAsync(topic, principal, operations, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(principal);
        return ForTopic(topic, s => s.GetAclAsync(topic, principal, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ForTopic(key, s => s.PutDocumentAsync(key, content, expectedVersion, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ForTopic(key, s => s.GetDocumentAsync(key, cancellationToken), cancellationToken);
    }

    private ValueTask<T> ForTopic<T>(string name, Func<IMetadataService, ValueTask<T>> request, CancellationToken cancellationToken) =>
        InvokeAsync(ring => ring.VnodeForTopic(name), request, cancellationToken);

    /// <summary>Runs a request on the leader of its vnode, following NotLeader and skipping unreachable brokers.</summary>
    private async ValueTask<T> InvokeAsync<T>(Func<VnodeRing, int> vnodeOf, Func<IMetadataService, ValueTask<T>> request, CancellationToken cancellationToken)
    {
        var ring = await GetRingAsync(cancellationToken).ConfigureAwait(false);
        int vnode = vnodeOf(ring);
        using var timeout = new CancellationTokenSource(_options.Timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        string target = CachedLeader(vnode) ?? _options.Bootstrap[vnode % _options.Bootstrap.Count];
        while (true)
        {
            bool pause;
            try
            {
                var result = await request(Connection(target)).ConfigureAwait(false);
                _leaders[vnode] = target;
                return result;
            }
            catch (NotLeaderException e) when (!linked.IsCancellationRequested)
            {
                Interlocked.Increment(ref _redirects);
                _leaders.TryRemove(new KeyValuePair<int, string>(vnode, target));
                string? hinted = e.LeaderHint == 0 ? null : await EndpointOfAsync(e.LeaderHint, linked.Token).ConfigureAwait(false);
                pause = hinted is null || hinted == target;
                target = pause ? NextEndpoint() : hinted!;
            }
            catch (MetadataUnavailableException) when (!linked.IsCancellationRequested)
            {
                _leaders.TryRemove(new KeyValuePair<int, string>(vnode, target));
                target = NextEndpoint();
                pause = true;
            }

            if (pause)
            {
                await Task.Delay(_options.RetryDelay, _options.TimeProvider, linked.Token).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<string?> EndpointOfAsync(ulong broker, CancellationToken cancellationToken)
    {
        if (!_endpoints.TryGetValue(broker, out var endpoint))
        {
            await DiscoverAsync(cancellationToken).ConfigureAwait(false);
            _endpoints.TryGetValue(broker, out endpoint);
        }

        return endpoint;
    }
}
