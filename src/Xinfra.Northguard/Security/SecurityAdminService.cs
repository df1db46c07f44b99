using Grpc.Core;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Protocol.Security;

namespace Xinfra.Northguard.Security;

/// <summary>The <c>SecurityAdmin</c> gRPC service: tokens and ACLs (access is checked by <see cref="SecurityInterceptor"/> when enforced).</summary>
internal sealed class SecurityAdminService(SecurityGate gate, ILoggerFactory loggers) : SecurityAdmin.SecurityAdminBase
{
    private readonly ILogger _logger = loggers.CreateLogger("Xinfra.Northguard.Security");

    public override Task<IssueTokenResponse> IssueToken(IssueTokenRequest request, ServerCallContext context) => Serve(async ct =>
    {
        var issued = await gate.Store.IssueAsync(request.Application, request.ClusterAdmin, ct).ConfigureAwait(false);
        gate.InvalidateTokens();
        SecurityLog.TokenIssued(_logger, issued.Info.Id, issued.Info.Application, issued.Info.ClusterAdmin);
        return new IssueTokenResponse { Info = ToWire(issued.Info), Token = issued.Token };
    });

    public override Task<ListTokensResponse> ListTokens(ListTokensRequest request, ServerCallContext context) => Serve(async ct =>
    {
        var response = new ListTokensResponse();
        foreach (var token in await gate.Store.LoadTokensAsync(ct).ConfigureAwait(false))
        {
            if (request.Application.Length == 0 || token.Application == request.Application)
            {
                response.Tokens.Add(ToWire(token.ToInfo()));
            }
        }

        return response;
    });

    public override Task<TokenMessage> RevokeToken(RevokeTokenRequest request, ServerCallContext context) => Serve(async ct =>
    {
        var revoked = await gate.Store.RevokeAsync(request.Id, ct).ConfigureAwait(false);
        gate.InvalidateTokens();
        SecurityLog.TokenRevoked(_logger, revoked.Id, revoked.Application);
        return ToWire(revoked);
    });

    public override Task<SetAclResponse> SetAcl(SetAclRequest request, ServerCallContext context) => Serve(async ct =>
    {
        var operations = (AclOperations)request.Operations;
        await gate.Store.SetAclAsync(request.Topic, request.Principal, operations, ct).ConfigureAwait(false);
        gate.InvalidateAcl(request.Topic, request.Principal);
        SecurityLog.AclSet(_logger, request.Principal, request.Topic, operations.ToString());
        return new SetAclResponse();
    });

    public override Task<AclEntryMessage> GetAcl(GetAclRequest request, ServerCallContext context) => Serve(async ct =>
    {
        var operations = await gate.Store.Metadata.GetAclAsync(request.Topic, request.Principal, ct).ConfigureAwait(false);
        return new AclEntryMessage { Topic = request.Topic, Principal = request.Principal, Operations = (uint)operations };
    });

    public override Task<ListAclsResponse> ListAcls(ListAclsRequest request, ServerCallContext context) => Serve(async ct =>
    {
        var response = new ListAclsResponse();
        foreach (var entry in await gate.Store.ListAclsAsync(request.Topic, ct).ConfigureAwait(false))
        {
            response.Entries.Add(new AclEntryMessage { Topic = entry.Topic, Principal = entry.Principal, Operations = (uint)entry.Operations });
        }

        return response;
    });

    internal static TokenMessage ToWire(TokenInfo info) => new()
    {
        Id = info.Id,
        Application = info.Application,
        CreatedUnixMs = info.CreatedAt.ToUnixTimeMilliseconds(),
        RevokedUnixMs = info.RevokedAt?.ToUnixTimeMilliseconds() ?? 0,
        ClusterAdmin = info.ClusterAdmin,
    };

    private static async Task<T> Serve<T>(Func<CancellationToken, Task<T>> action)
    {
        try
        {
            return await action(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (KeyNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (Xinfra.UnknownTopicException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (MetadataRequestException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (NotLeaderException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        catch (MetadataUnavailableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }
}
