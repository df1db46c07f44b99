using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Protocol.Security;
using Xinfra.Northguard.Security;

namespace Xinfra.Northguard.Client;

/// <summary>Token and ACL administration over the brokers' <c>SecurityAdmin</c> service (any broker answers).</summary>
public sealed partial class NorthguardAdminClient
{
    /// <summary>
    /// Issues a token for <paramref name="application"/> (its ACL principal). The secret is in the result only: it is
    /// stored hashed and cannot be read back. <paramref name="clusterAdmin"/> tokens may also create topics and manage
    /// tokens.
    /// </summary>
    public async Task<IssuedToken> IssueTokenAsync(string application, bool clusterAdmin = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(application);
        var response = await CallAsync(null, (c, ct) => c.IssueTokenAsync(new IssueTokenRequest { Application = application, ClusterAdmin = clusterAdmin }, cancellationToken: ct).ResponseAsync,
            $"Issuing a token for '{application}'", cancellationToken).ConfigureAwait(false);
        return new IssuedToken(FromWire(response.Info), response.Token);
    }

    /// <summary>Lists the tokens (of <paramref name="application"/>, or all), revoked ones included; never their secrets.</summary>
    public async Task<IReadOnlyList<TokenInfo>> ListTokensAsync(string? application = null, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(null, (c, ct) => c.ListTokensAsync(new ListTokensRequest { Application = application ?? string.Empty }, cancellationToken: ct).ResponseAsync,
            "Listing tokens", cancellationToken).ConfigureAwait(false);
        return [.. response.Tokens.Select(FromWire)];
    }

    /// <summary>Revokes token <paramref name="tokenId"/>; brokers refuse it within their cache TTL (at once on the broker that answered).</summary>
    public async Task<TokenInfo> RevokeTokenAsync(string tokenId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        var response = await CallAsync(null, (c, ct) => c.RevokeTokenAsync(new RevokeTokenRequest { Id = tokenId }, cancellationToken: ct).ResponseAsync,
            $"Revoking token '{tokenId}'", cancellationToken).ConfigureAwait(false);
        return FromWire(response);
    }

    /// <summary>Sets what <paramref name="principal"/> may do on <paramref name="topic"/> (<see cref="AclOperations.None"/> removes the ACL).</summary>
    public async Task SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        await CallAsync(topic, (c, ct) => c.SetAclAsync(new SetAclRequest { Topic = topic, Principal = principal, Operations = (uint)operations }, cancellationToken: ct).ResponseAsync,
            $"Setting the ACL of '{principal}' on '{topic}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What <paramref name="principal"/> may do on <paramref name="topic"/>.</summary>
    public async Task<AclOperations> GetAclAsync(string topic, string principal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(principal);
        var response = await CallAsync(topic, (c, ct) => c.GetAclAsync(new GetAclRequest { Topic = topic, Principal = principal }, cancellationToken: ct).ResponseAsync,
            $"Reading the ACL of '{principal}' on '{topic}'", cancellationToken).ConfigureAwait(false);
        return (AclOperations)response.Operations;
    }

    /// <summary>The ACLs on <paramref name="topic"/> set through this API.</summary>
    public async Task<IReadOnlyList<AclEntry>> ListAclsAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var response = await CallAsync(topic, (c, ct) => c.ListAclsAsync(new ListAclsRequest { Topic = topic }, cancellationToken: ct).ResponseAsync,
            $"Listing the ACLs on '{topic}'", cancellationToken).ConfigureAwait(false);
        return [.. response.Entries.Select(e => new AclEntry(e.Topic, e.Principal, (AclOperations)e.Operations))];
    }

    private static TokenInfo FromWire(TokenMessage m) => new(
        m.Id,
        m.Application,
        DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedUnixMs),
        m.RevokedUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(m.RevokedUnixMs),
        m.ClusterAdmin);

    private async Task<T> CallAsync<T>(string? topic, Func<SecurityAdmin.SecurityAdminClient, CancellationToken, Task<T>> call, string what, CancellationToken cancellationToken)
    {
        RpcException? last = null;
        foreach (string endpoint in _connections.Options.Endpoints)
        {
            try
            {
                return await call(new SecurityAdmin.SecurityAdminClient(_connections.Channel(endpoint)), cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown)
            {
                last = e;
            }
            catch (RpcException e) when (SecurityErrors.IsSecurity(e))
            {
                throw SecurityErrors.ToException(e, topic);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && topic is not null)
            {
                throw new UnknownTopicException(e.Status.Detail) { Topic = topic };
            }
            catch (RpcException e)
            {
                throw new XinfraException($"{what} failed: {e.Status.Detail}", e) { Topic = topic };
            }
        }

        throw new ClusterUnavailableException($"{what} failed: no broker answered ({last?.Status.Detail ?? "no endpoint configured"}).", last) { Topic = topic };
    }
}
