using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Groups;

/// <summary>The <c>NorthguardGroups</c> gRPC service: answers for groups this broker coordinates, redirects otherwise.</summary>
internal sealed class GroupCoordinatorService(GroupCoordinator coordinator) : NorthguardGroups.NorthguardGroupsBase
{
    public override async Task<GroupResponse> JoinGroup(JoinGroupRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return await RedirectAsync(request.Group, context).ConfigureAwait(false) ?? coordinator.Join(request);
    }

    public override async Task<GroupResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return await RedirectAsync(request.Group, context).ConfigureAwait(false)
            ?? await coordinator.HeartbeatAsync(request, context.CancellationToken).ConfigureAwait(false);
    }

    public override async Task<GroupResponse> LeaveGroup(LeaveGroupRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return await RedirectAsync(request.Group, context).ConfigureAwait(false) ?? coordinator.Leave(request);
    }

    public override async Task<GroupResponse> DescribeGroup(DescribeGroupRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return await RedirectAsync(request.Group, context).ConfigureAwait(false) ?? coordinator.Describe(request);
    }

    private async Task<GroupResponse?> RedirectAsync(string group, ServerCallContext context) =>
        await coordinator.OtherCoordinatorAsync(group, context.CancellationToken).ConfigureAwait(false) is { } endpoint
            ? new GroupResponse { Error = GroupError.NotCoordinator, CoordinatorEndpoint = endpoint }
            : null;

    private static void Validate(string group, string topic)
    {
        if (string.IsNullOrWhiteSpace(group) || string.IsNullOrWhiteSpace(topic))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "A group request names its group and topic."));
        }
    }
}
