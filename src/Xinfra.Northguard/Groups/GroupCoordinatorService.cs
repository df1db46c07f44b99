using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Groups;

/// <summary>The <c>NorthguardGroups</c> gRPC service: answers for groups this broker coordinates, redirects otherwise.</summary>
internal sealed class GroupCoordinatorService(GroupCoordinator coordinator) : NorthguardGroups.NorthguardGroupsBase
{
    public override Task<GroupResponse> JoinGroup(JoinGroupRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return Task.FromResult(Redirect(request.Group) ?? coordinator.Join(request));
    }

    public override Task<GroupResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        var redirect = Redirect(request.Group);
        return redirect is not null ? Task.FromResult(redirect) : coordinator.HeartbeatAsync(request, context.CancellationToken);
    }

    public override Task<GroupResponse> LeaveGroup(LeaveGroupRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return Task.FromResult(Redirect(request.Group) ?? coordinator.Leave(request));
    }

    public override Task<GroupResponse> DescribeGroup(DescribeGroupRequest request, ServerCallContext context)
    {
        Validate(request.Group, request.Topic);
        return Task.FromResult(Redirect(request.Group) ?? coordinator.Describe(request));
    }

    private GroupResponse? Redirect(string group) => coordinator.OtherCoordinator(group) is { } endpoint
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
