using Grpc.Core;
using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>Consumer group positions, stored durably in the cluster metadata.</summary>
public sealed partial class NorthguardConsumerClient
{
    /// <summary>Stores <paramref name="nextOffset"/> as group <paramref name="group"/>'s position in a range.</summary>
    public async Task CommitAsync(string group, string topic, ulong rangeId, long nextOffset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(nextOffset);
        await CallAsync(topic, endpoint => _connections.For(endpoint).CommitPositionAsync(
            new CommitPositionRequest { Group = group, Topic = topic, RangeId = rangeId, Offset = nextOffset }, cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Stores <paramref name="nextOffset"/> as group <paramref name="group"/>'s position in a range, fenced by the range
    /// lease <paramref name="member"/> was granted (<paramref name="leaseEpoch"/>, from the coordinator's grant): the
    /// broker writes only if no later lease of the range exists.
    /// </summary>
    /// <exception cref="CommitFencedException">The range was granted again since this lease; nothing was written.</exception>
    public async Task CommitAsync(string group, string topic, ulong rangeId, long nextOffset, string member, long leaseEpoch, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentException.ThrowIfNullOrEmpty(member);
        ArgumentOutOfRangeException.ThrowIfNegative(nextOffset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(leaseEpoch);
        var request = new CommitPositionRequest { Group = group, Topic = topic, RangeId = rangeId, Offset = nextOffset, LeaseEpoch = leaseEpoch, MemberId = member };
        var response = await CallAsync(topic, endpoint => _connections.For(endpoint).CommitPositionAsync(request, cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false);
        if (response.Fenced)
        {
            throw new CommitFencedException(group, topic, rangeId, member, leaseEpoch, response.HolderEpoch, response.HolderMember);
        }
    }

    /// <summary>Group <paramref name="group"/>'s committed next offset in a range, or null when none.</summary>
    public async Task<long?> FetchPositionAsync(string group, string topic, ulong rangeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var response = await CallAsync(topic, endpoint => _connections.For(endpoint).FetchPositionAsync(
            new FetchPositionRequest { Group = group, Topic = topic, RangeId = rangeId }, cancellationToken: cancellationToken).ResponseAsync)
            .ConfigureAwait(false);
        return response.Found ? response.Offset : null;
    }

    private async Task<T> CallAsync<T>(string topic, Func<string, Task<T>> call)
    {
        RpcException? last = null;
        foreach (string endpoint in _connections.Options.Endpoints)
        {
            try
            {
                return await call(endpoint).ConfigureAwait(false);
            }
            catch (RpcException e) when (ClientErrors.IsTransient(e) && e.StatusCode != StatusCode.Cancelled)
            {
                last = e;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                // Cancelled by the caller's token: a cancellation, not a consume error.
                throw new OperationCanceledException(e.Status.Detail, e);
            }
            catch (RpcException e)
            {
                throw ClientErrors.ForConsume(topic, e);
            }
        }

        throw ClientErrors.ForConsume(topic, last ?? new RpcException(new Status(StatusCode.Unavailable, "No endpoint.")));
    }
}

/// <summary>
/// Deterministic assignment of a topic's ranges to the members of a consumer group: every member computing it from
/// the same membership gets the same answer. (Membership and rebalancing are not provided by the data path.)
/// </summary>
public static class NorthguardRangeAssignor
{
    /// <summary>
    /// The ranges <paramref name="member"/> reads: ranges are taken in id order and dealt round-robin to the members
    /// in ordinal name order. Pass the ranges a reader may start (active ones, or roots when reading from the start).
    /// </summary>
    public static IReadOnlyList<ulong> Assign(IReadOnlyList<ulong> ranges, IReadOnlyList<string> members, string member)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentException.ThrowIfNullOrEmpty(member);
        var sorted = members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        int index = sorted.IndexOf(member);
        if (index < 0)
        {
            throw new ArgumentException($"'{member}' is not a member of the group.", nameof(member));
        }

        return [.. ranges.Order().Where((_, i) => i % sorted.Count == index)];
    }
}
