using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Northguard administration: range splits and merges (the broker seals the open segments first), application tokens and
/// per-topic ACLs (<c>NorthguardAdminClient.Security.cs</c>).
/// </summary>
public sealed partial class NorthguardAdminClient : IDisposable
{
    private readonly ClientConnections _connections;

    /// <summary>Creates an admin client; it connects lazily.</summary>
    public NorthguardAdminClient(NorthguardClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connections = new ClientConnections(options);
    }

    /// <summary>
    /// Splits active range <paramref name="rangeId"/> of <paramref name="topic"/> at key hash <paramref name="at"/>
    /// (the first hash of the right child); returns the two children. Producers move to the children; consumers
    /// read the parent to its end first.
    /// </summary>
    public async Task<IReadOnlyList<ulong>> SplitRangeAsync(string topic, ulong rangeId, ulong at, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        try
        {
            var route = await _connections.RouteAsync(topic, cancellationToken).ConfigureAwait(false);
            string endpoint = route.Brokers.First(b => b.Live).Endpoint;
            var response = await _connections.For(endpoint).SplitRangeAsync(new SplitRangeRequest { Topic = topic, RangeId = rangeId, At = at }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return [.. response.Children];
        }
        catch (RpcException e) when (Security.SecurityErrors.IsSecurity(e))
        {
            throw Security.SecurityErrors.ToException(e, topic);
        }
        catch (RpcException e)
        {
            throw e.StatusCode == StatusCode.NotFound
                ? new UnknownTopicException(e.Status.Detail) { Topic = topic }
                : new XinfraException($"Splitting range {rangeId} of '{topic}' failed: {e.Status.Detail}", e) { Topic = topic };
        }
    }

    /// <summary>
    /// Merges adjacent active ranges <paramref name="leftRangeId"/> and <paramref name="rightRangeId"/> (its right
    /// neighbour) of <paramref name="topic"/>; returns the child. Producers move to the child; consumers read both
    /// parents to their ends first (in a group, one member reads all three).
    /// </summary>
    public async Task<ulong> MergeRangesAsync(string topic, ulong leftRangeId, ulong rightRangeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        try
        {
            var route = await _connections.RouteAsync(topic, cancellationToken).ConfigureAwait(false);
            string endpoint = route.Brokers.First(b => b.Live).Endpoint;
            var response = await _connections.For(endpoint)
                .MergeRangesAsync(new MergeRangesRequest { Topic = topic, LeftRangeId = leftRangeId, RightRangeId = rightRangeId }, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.Child;
        }
        catch (RpcException e) when (Security.SecurityErrors.IsSecurity(e))
        {
            throw Security.SecurityErrors.ToException(e, topic);
        }
        catch (RpcException e)
        {
            throw e.StatusCode == StatusCode.NotFound
                ? new UnknownTopicException(e.Status.Detail) { Topic = topic }
                : new XinfraException($"Merging ranges {leftRangeId} and {rightRangeId} of '{topic}' failed: {e.Status.Detail}", e) { Topic = topic };
        }
    }

    /// <inheritdoc />
    public void Dispose() => _connections.Dispose();
}
