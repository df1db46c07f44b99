using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.DataPath.Wire;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The <c>Northguard</c> gRPC service: routing, produce, replicate and consume. Bound through
/// <see cref="BindService"/>: produce and replicate requests are read with <see cref="AppendParser"/> (pooled batches).
/// </summary>
[BindServiceMethod(typeof(NorthguardDataService), nameof(BindService))]
internal sealed class NorthguardDataService(DataPathEngine engine) : Protocol.Northguard.NorthguardBase
{
    /// <summary>Found by grpc-dotnet through the attribute: the generated binding with pooled append parsing.</summary>
    public static void BindService(ServiceBinderBase binder, Protocol.Northguard.NorthguardBase service) =>
        Protocol.Northguard.BindService(new PooledAppendBinder(binder), service);

    public override async Task<RouteResponse> GetRoute(RouteRequest request, ServerCallContext context)
    {
        var description = await engine.DescribeAsync(request.Topic, context.CancellationToken).ConfigureAwait(false);
        var response = new RouteResponse();
        foreach (var range in description.Ranges)
        {
            var route = new RangeRoute
            {
                RangeId = range.Id.Value,
                KeyStart = range.KeyStart,
                KeyEnd = range.KeyEnd,
                Active = range.State == RangeState.Active,
            };
            route.Parents.AddRange(range.Parents.Select(p => p.Value));
            route.Children.AddRange(range.Children.Select(c => c.Value));
            foreach (var segment in description.Segments)
            {
                if (segment.Id.Range == range.Id)
                {
                    var s = new SegmentRoute { Sequence = segment.Id.Sequence, Sealed = segment.State != SegmentState.Open, Deleted = segment.State == SegmentState.Deleted, EndOffset = segment.EndOffset };
                    s.Replicas.AddRange(segment.Replicas);
                    route.Segments.Add(s);
                }
            }

            response.Ranges.Add(route);
        }

        foreach (var broker in engine.Directory.Brokers)
        {
            response.Brokers.Add(new BrokerRoute { BrokerId = broker.Id, Endpoint = engine.Directory.EndpointOf(broker.Id) ?? string.Empty, Live = broker.IsLive });
        }

        return response;
    }

    public override Task Produce(IAsyncStreamReader<ProduceRequest> requestStream, IServerStreamWriter<ProduceResponse> responseStream, ServerCallContext context) =>
        new ProduceSession(engine).RunAsync(requestStream, responseStream, context.CancellationToken);

    public override Task Replicate(IAsyncStreamReader<ReplicateRequest> requestStream, IServerStreamWriter<ReplicateResponse> responseStream, ServerCallContext context) =>
        ReplicaHandler.RunAsync(engine, requestStream, responseStream, context.CancellationToken);

    public override Task Consume(IAsyncStreamReader<ConsumeRequest> requestStream, IServerStreamWriter<ConsumeResponse> responseStream, ServerCallContext context) =>
        new ConsumeSession(engine).RunAsync(requestStream, responseStream, context.CancellationToken);

    public override Task<SplitRangeResponse> SplitRange(SplitRangeRequest request, ServerCallContext context) =>
        engine.SplitAsync(request, context.CancellationToken);

    public override Task<MergeRangesResponse> MergeRanges(MergeRangesRequest request, ServerCallContext context) =>
        engine.MergeAsync(request, context.CancellationToken);

    public override async Task<CommitPositionResponse> CommitPosition(CommitPositionRequest request, ServerCallContext context)
    {
        string key = await PositionKeyAsync(request.Group, request.Topic, request.RangeId, context.CancellationToken).ConfigureAwait(false);
        if (request.Offset < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A committed offset is not negative."));
        }

        if (request.HasLeaseEpoch && (request.LeaseEpoch <= 0 || string.IsNullOrEmpty(request.MemberId)))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A fenced commit names its member and a positive lease epoch."));
        }

        Groups.CommitOutcome outcome;
        try
        {
            outcome = await new Groups.GroupPositions(engine.Metadata).CommitAsync(
                key, request.Offset, request.HasLeaseEpoch ? request.LeaseEpoch : null, request.MemberId, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Metadata.Service.DocumentVersionMismatchException e)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"The position of group '{request.Group}' kept changing: {e.Message}"));
        }

        return outcome.Fenced
            ? new CommitPositionResponse { Fenced = true, HolderEpoch = outcome.HolderEpoch, HolderMember = outcome.HolderMember }
            : new CommitPositionResponse();
    }

    public override async Task<FetchPositionResponse> FetchPosition(FetchPositionRequest request, ServerCallContext context)
    {
        string key = await PositionKeyAsync(request.Group, request.Topic, request.RangeId, context.CancellationToken).ConfigureAwait(false);
        return await new Groups.GroupPositions(engine.Metadata).FetchAsync(key, context.CancellationToken).ConfigureAwait(false) is { } offset
            ? new FetchPositionResponse { Found = true, Offset = offset }
            : new FetchPositionResponse { Found = false, Offset = 0 };
    }

    /// <summary>The config document holding a group's position: <c>__ng.positions/group/topic/range</c>.</summary>
    private async Task<string> PositionKeyAsync(string group, string topic, ulong range, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(group) || group.Contains('/', StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A group name is non-empty and has no '/'."));
        }

        var description = await engine.DescribeAsync(topic, cancellationToken).ConfigureAwait(false);
        if (!description.Ranges.Any(r => r.Id.Value == range))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Topic '{topic}' has no range {range}."));
        }

        return Groups.GroupPositions.Key(group, topic, range);
    }

    public override async Task<ReplicaStateResponse> GetReplicaState(ReplicaStateRequest request, ServerCallContext context)
    {
        if (request.Fence)
        {
            await engine.FenceAsync(request.StoreSegmentId, request.Topic, request.BaseOffset, context.CancellationToken).ConfigureAwait(false);
        }

        var segment = engine.Store.GetSegment(request.StoreSegmentId);
        return new ReplicaStateResponse { Exists = segment is not null, DurableEndOffset = segment?.NextOffset ?? 0 };
    }
}
