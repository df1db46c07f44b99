using Grpc.Core;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Wire = Xinfra.Northguard.Protocol.Metadata;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>The <c>Metadata</c> gRPC service: any broker accepts a call and serves or proxies it.</summary>
internal sealed class MetadataGrpcService(LocalMetadataService local, ProxyingMetadataService proxying, IBrokerDirectory directory)
    : Wire.Metadata.MetadataBase
{
    public override Task<Wire.TopicDescriptionMessage> CreateTopic(Wire.CreateTopicRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => MetadataWire.ToWire(await s.CreateTopicAsync(request.Name, MetadataWire.FromWire(request.Policy), request.InitialRanges, ct).ConfigureAwait(false)));

    public override Task<Wire.Empty> DeleteTopic(Wire.TopicRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) =>
        {
            await s.DeleteTopicAsync(request.Name, ct).ConfigureAwait(false);
            return new Wire.Empty();
        });

    public override Task<Wire.TopicDescriptionMessage> DescribeTopic(Wire.TopicRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => MetadataWire.ToWire(await s.DescribeTopicAsync(request.Name, ct).ConfigureAwait(false)));

    public override Task<Wire.RangeIds> SplitRange(Wire.SplitRangeRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => Ids(await s.SplitRangeAsync(new RangeId(request.Range), request.At, ct).ConfigureAwait(false)));

    public override Task<Wire.RangeIds> MergeRanges(Wire.MergeRangesRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => Ids([await s.MergeRangesAsync(new RangeId(request.Left), new RangeId(request.Right), ct).ConfigureAwait(false)]));

    public override Task<Wire.SegmentRef> OpenSegment(Wire.OpenSegmentRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => MetadataWire.ToWire(await s.OpenSegmentAsync(new RangeId(request.Range), [.. request.Replicas], ct).ConfigureAwait(false)));

    public override Task<Wire.Empty> SealSegment(Wire.SealSegmentRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) =>
        {
            await s.SealSegmentAsync(MetadataWire.FromWire(request.Segment), request.EndOffset, request.SizeBytes > 0 ? request.SizeBytes : -1, ct).ConfigureAwait(false);
            return new Wire.Empty();
        });

    public override Task<Wire.Empty> SetAcl(Wire.AclRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) =>
        {
            await s.SetAclAsync(request.Topic, request.Principal, (AclOperations)request.Operations, ct).ConfigureAwait(false);
            return new Wire.Empty();
        });

    public override Task<Wire.AclResponse> GetAcl(Wire.AclRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => new Wire.AclResponse { Operations = (uint)await s.GetAclAsync(request.Topic, request.Principal, ct).ConfigureAwait(false) });

    public override Task<Wire.PutDocumentResponse> PutDocument(Wire.PutDocumentRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => new Wire.PutDocumentResponse
        {
            Version = await s.PutDocumentAsync(request.Key, request.Content.Memory, request.ExpectedVersion, ct).ConfigureAwait(false),
        });

    public override Task<Wire.GetDocumentResponse> GetDocument(Wire.GetDocumentRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) => await s.GetDocumentAsync(request.Key, ct).ConfigureAwait(false) is { } d
            ? new Wire.GetDocumentResponse { Found = true, Version = d.Version, Content = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(d.Content) }
            : new Wire.GetDocumentResponse());

    public override Task<Wire.Empty> ReplaceReplica(Wire.ReplaceReplicaRequest request, ServerCallContext context) =>
        Serve(context, async (s, ct) =>
        {
            await s.ReplaceReplicaAsync(MetadataWire.FromWire(request.Segment), request.From, request.To, ct).ConfigureAwait(false);
            return new Wire.Empty();
        });

    // Always answered locally (the vnodes this broker leads): the caller asks every broker and merges.
    public override async Task<Wire.ListUnderReplicatedResponse> ListUnderReplicated(Wire.ListUnderReplicatedRequest request, ServerCallContext context)
    {
        var segments = await local.ListUnderReplicatedSegmentsAsync(new HashSet<ulong>(request.LiveBrokers), context.CancellationToken).ConfigureAwait(false);
        var response = new Wire.ListUnderReplicatedResponse();
        response.Segments.AddRange(segments.Select(MetadataWire.ToWire));
        return response;
    }

    public override Task<Wire.ListBrokersResponse> ListBrokers(Wire.Empty request, ServerCallContext context)
    {
        var response = new Wire.ListBrokersResponse { AnsweredBy = directory.LocalBroker };
        foreach (var b in directory.Brokers)
        {
            var broker = new Wire.BrokerMessage { Id = b.Id, Endpoint = directory.EndpointOf(b.Id) ?? string.Empty, Live = b.IsLive };
            foreach (var (key, value) in b.Attributes)
            {
                broker.Attributes[key] = value;
            }

            response.Brokers.Add(broker);
        }

        return Task.FromResult(response);
    }

    public override Task<Wire.DescribeVnodesResponse> DescribeVnodes(Wire.Empty request, ServerCallContext context)
    {
        var response = new Wire.DescribeVnodesResponse { VnodeCount = (uint)directory.Ring.Count };
        foreach (var v in directory.Vnodes)
        {
            var vnode = new Wire.VnodeMessage { Vnode = (uint)v.Vnode, Start = v.Start, End = v.End, Leader = v.Leader, Term = v.Term };
            vnode.Replicas.AddRange(v.Replicas);
            response.Vnodes.Add(vnode);
        }

        return Task.FromResult(response);
    }

    // Always answered locally (the vnodes this broker leads): the caller asks every broker and merges.
    public override async Task<Wire.ExportVnodesResponse> ExportVnodes(Wire.ExportVnodesRequest request, ServerCallContext context) =>
        MetadataWire.ToWire(await local.ExportLedVnodesAsync(context.CancellationToken).ConfigureAwait(false));

    private static Wire.RangeIds Ids(IReadOnlyList<RangeId> ranges)
    {
        var ids = new Wire.RangeIds();
        ids.Ids.AddRange(ranges.Select(r => r.Value));
        return ids;
    }

    private async Task<T> Serve<T>(ServerCallContext context, Func<IMetadataService, CancellationToken, Task<T>> serve)
    {
        bool noProxy = context.RequestHeaders.GetValue(MetadataWire.NoProxyHeader) == "1";
        try
        {
            return await serve(noProxy ? local : proxying, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException && MetadataWire.ToRpc(e, directory.EndpointOf) is { } rpc)
        {
            throw rpc;
        }
    }
}
