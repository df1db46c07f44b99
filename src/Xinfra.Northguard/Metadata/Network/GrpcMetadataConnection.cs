using Grpc.Core;
using Grpc.Net.Client;
using Xinfra.Northguard.Metadata.Cluster;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Placement;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;
using Wire = Xinfra.Northguard.Protocol.Metadata;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>
/// <see cref="IMetadataService"/> on one remote broker over gRPC, with gRPC errors mapped back to the metadata
/// exceptions (<see cref="NotLeaderException"/>, …; unreachable: <see cref="MetadataUnavailableException"/>).
/// With <c>noProxy</c> the broker answers NotLeader instead of proxying to the vnode leader.
/// </summary>
public sealed class GrpcMetadataConnection : IMetadataService, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Wire.Metadata.MetadataClient _client;
    private readonly Grpc.Core.Metadata? _headers;

    /// <summary>Opens a channel to <paramref name="endpoint"/> (<c>http(s)://host:port</c>), secured by <paramref name="channels"/> (null: plaintext).</summary>
    public GrpcMetadataConnection(string endpoint, bool noProxy, Security.ChannelSecurity? channels = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        Endpoint = endpoint;
        // An ExportVnodes answer holds every topic and segment of the vnodes a broker leads: allow more than gRPC's 4 MiB.
        _channel = (channels ?? Security.ChannelSecurity.Plaintext).CreateChannel(endpoint, maxReceiveMessageSize: 64 << 20);
        _client = new Wire.Metadata.MetadataClient(_channel);
        _headers = noProxy ? new Grpc.Core.Metadata { { MetadataWire.NoProxyHeader, "1" } } : null;
    }

    /// <summary>The broker's endpoint.</summary>
    public string Endpoint { get; }

    /// <inheritdoc />
    public ValueTask<TopicDescription> CreateTopicAsync(string name, StoragePolicy policy, int initialRanges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Call(name, c => c.CreateTopicAsync(new Wire.CreateTopicRequest { Name = name, Policy = MetadataWire.ToWire(policy), InitialRanges = initialRanges }, Options(cancellationToken)),
            MetadataWire.FromWire);
    }

    /// <inheritdoc />
    public async ValueTask DeleteTopicAsync(string name, CancellationToken cancellationToken = default) =>
        await Call(name, c => c.DeleteTopicAsync(new Wire.TopicRequest { Name = name }, Options(cancellationToken)), static _ => 0).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<TopicDescription> DescribeTopicAsync(string name, CancellationToken cancellationToken = default) =>
        Call(name, c => c.DescribeTopicAsync(new Wire.TopicRequest { Name = name }, Options(cancellationToken)), MetadataWire.FromWire);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RangeId>> SplitRangeAsync(RangeId range, ulong at, CancellationToken cancellationToken = default) =>
        Call(null, c => c.SplitRangeAsync(new Wire.SplitRangeRequest { Range = range.Value, At = at }, Options(cancellationToken)),
            r => (IReadOnlyList<RangeId>)[.. r.Ids.Select(id => new RangeId(id))]);

    /// <inheritdoc />
    public ValueTask<RangeId> MergeRangesAsync(RangeId left, RangeId right, CancellationToken cancellationToken = default) =>
        Call(null, c => c.MergeRangesAsync(new Wire.MergeRangesRequest { Left = left.Value, Right = right.Value }, Options(cancellationToken)),
            r => new RangeId(r.Ids[0]));

    /// <inheritdoc />
    public ValueTask<SegmentId> OpenSegmentAsync(RangeId range, IReadOnlyList<ulong> replicas, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        var request = new Wire.OpenSegmentRequest { Range = range.Value };
        request.Replicas.AddRange(replicas);
        return Call(null, c => c.OpenSegmentAsync(request, Options(cancellationToken)), MetadataWire.FromWire);
    }

    /// <inheritdoc />
    public ValueTask SealSegmentAsync(SegmentId segment, long endOffset, CancellationToken cancellationToken = default) =>
        SealSegmentAsync(segment, endOffset, -1, cancellationToken);

    /// <inheritdoc />
    public async ValueTask SealSegmentAsync(SegmentId segment, long endOffset, long sizeBytes, CancellationToken cancellationToken = default) =>
        await Call(null, c => c.SealSegmentAsync(new Wire.SealSegmentRequest { Segment = MetadataWire.ToWire(segment), EndOffset = endOffset, SizeBytes = Math.Max(0, sizeBytes) }, Options(cancellationToken)),
            static _ => 0).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default) =>
        await Call(topic, c => c.SetAclAsync(new Wire.AclRequest { Topic = topic, Principal = principal, Operations = (uint)operations }, Options(cancellationToken)),
            static _ => 0).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default) =>
        Call(topic, c => c.GetAclAsync(new Wire.AclRequest { Topic = topic, Principal = principal }, Options(cancellationToken)),
            r => (AclOperations)r.Operations);

    /// <inheritdoc />
    public ValueTask<long> PutDocumentAsync(string key, ReadOnlyMemory<byte> content, long expectedVersion, CancellationToken cancellationToken = default) =>
        Call(null, c => c.PutDocumentAsync(new Wire.PutDocumentRequest
        {
            Key = key,
            Content = Google.Protobuf.ByteString.CopyFrom(content.Span),
            ExpectedVersion = expectedVersion,
        }, Options(cancellationToken)), r => r.Version);

    /// <inheritdoc />
    public ValueTask<ConfigDocument?> GetDocumentAsync(string key, CancellationToken cancellationToken = default) =>
        Call(null, c => c.GetDocumentAsync(new Wire.GetDocumentRequest { Key = key }, Options(cancellationToken)),
            r => r.Found ? new ConfigDocument(key, r.Version, r.Content.ToByteArray()) : null);

    /// <inheritdoc />
    public async ValueTask ReplaceReplicaAsync(SegmentId segment, ulong from, ulong to, CancellationToken cancellationToken = default) =>
        await Call(null, c => c.ReplaceReplicaAsync(new Wire.ReplaceReplicaRequest { Segment = MetadataWire.ToWire(segment), From = from, To = to }, Options(cancellationToken)),
            static _ => 0).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<UnderReplicatedSegment>> ListUnderReplicatedSegmentsAsync(IReadOnlySet<ulong> liveBrokers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(liveBrokers);
        var request = new Wire.ListUnderReplicatedRequest();
        request.LiveBrokers.AddRange(liveBrokers);
        return Call(null, c => c.ListUnderReplicatedAsync(request, Options(cancellationToken)),
            r => (IReadOnlyList<UnderReplicatedSegment>)[.. r.Segments.Select(MetadataWire.FromWire)]);
    }

    /// <summary>The brokers as this broker sees them.</summary>
    public ValueTask<IReadOnlyList<BrokerInfo>> ListBrokersAsync(CancellationToken cancellationToken = default) =>
        Call(null, c => c.ListBrokersAsync(new Wire.Empty(), Options(cancellationToken)),
            r => (IReadOnlyList<BrokerInfo>)[.. r.Brokers.Select(b => ToBroker(b))]);

    /// <summary>The vnode table as this broker sees it.</summary>
    public ValueTask<IReadOnlyList<VnodeAssignment>> DescribeVnodesAsync(CancellationToken cancellationToken = default) =>
        Call(null, c => c.DescribeVnodesAsync(new Wire.Empty(), Options(cancellationToken)),
            r => (IReadOnlyList<VnodeAssignment>)[.. r.Vnodes.Select(v => new VnodeAssignment((int)v.Vnode, v.Start, v.End, [.. v.Replicas], v.Leader, v.Term))]);

    /// <summary>The content of the vnodes this broker leads.</summary>
    public ValueTask<MetadataExport> ExportVnodesAsync(CancellationToken cancellationToken = default) =>
        Call(null, c => c.ExportVnodesAsync(new Wire.ExportVnodesRequest(), Options(cancellationToken)), MetadataWire.FromWire);

    /// <summary>Closes the channel.</summary>
    public void Dispose() => _channel.Dispose();

    private static BrokerInfo ToBroker(Wire.BrokerMessage b)
    {
        var uri = string.IsNullOrEmpty(b.Endpoint) ? null : new Uri(b.Endpoint);
        return new BrokerInfo(b.Id, uri?.Host ?? string.Empty, uri?.Port ?? 0, new Dictionary<string, string>(b.Attributes), b.Live);
    }

    private CallOptions Options(CancellationToken cancellationToken) => new(headers: _headers, cancellationToken: cancellationToken);

    private async ValueTask<TResult> Call<TResponse, TResult>(string? topic, Func<Wire.Metadata.MetadataClient, AsyncUnaryCall<TResponse>> call,
        Func<TResponse, TResult> map)
    {
        try
        {
            using var pending = call(_client);
            return map(await pending.ResponseAsync.ConfigureAwait(false));
        }
        catch (RpcException e)
        {
            throw MetadataWire.FromRpc(e, topic);
        }
    }
}
