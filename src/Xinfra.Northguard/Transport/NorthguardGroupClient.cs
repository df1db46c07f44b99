using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// Calls the group coordinator: starts at the last known coordinator (or a bootstrap broker), follows
/// <see cref="GroupError.NotCoordinator"/> hints and moves on to the next broker when one is unreachable, backing off
/// (50 ms doubling to 1 s) while the coordinator fails over, for up to <see cref="GiveUpAfter"/>.
/// </summary>
internal sealed class NorthguardGroupClient(IReadOnlyList<string> endpoints, string cluster, TimeProvider time, Security.ChannelSecurity? security = null) : IDisposable
{
    /// <summary>How long a call keeps trying while no coordinator answers (a broker died: its vnodes elect anew).</summary>
    internal static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _coordinators = new(StringComparer.Ordinal);

    public Task<GroupResponse> JoinAsync(string group, string topic, string memberId, TimeSpan sessionTimeout, CancellationToken cancellationToken) =>
        CallAsync(group, (c, ct) => c.JoinGroupAsync(new JoinGroupRequest { Group = group, Topic = topic, MemberId = memberId, SessionTimeoutMs = (long)sessionTimeout.TotalMilliseconds }, cancellationToken: ct).ResponseAsync, cancellationToken);

    public Task<GroupResponse> HeartbeatAsync(string group, string topic, string memberId, IEnumerable<ulong> held, CancellationToken cancellationToken)
    {
        var request = new HeartbeatRequest { Group = group, Topic = topic, MemberId = memberId };
        request.Held.AddRange(held);
        return CallAsync(group, (c, ct) => c.HeartbeatAsync(request, cancellationToken: ct).ResponseAsync, cancellationToken);
    }

    public Task<GroupResponse> LeaveAsync(string group, string topic, string memberId, CancellationToken cancellationToken) =>
        CallAsync(group, (c, ct) => c.LeaveGroupAsync(new LeaveGroupRequest { Group = group, Topic = topic, MemberId = memberId }, cancellationToken: ct).ResponseAsync, cancellationToken);

    public Task<GroupResponse> DescribeAsync(string group, string topic, CancellationToken cancellationToken) =>
        CallAsync(group, (c, ct) => c.DescribeGroupAsync(new DescribeGroupRequest { Group = group, Topic = topic }, cancellationToken: ct).ResponseAsync, cancellationToken);

    private async Task<GroupResponse> CallAsync(string group, Func<NorthguardGroups.NorthguardGroupsClient, CancellationToken, Task<GroupResponse>> call, CancellationToken cancellationToken)
    {
        var endpoint = _coordinators.TryGetValue(group, out var known) ? known : endpoints[0];
        var next = 0;
        RpcException? last = null;
        long started = time.GetTimestamp();
        for (var attempt = 0; attempt == 0 || time.GetElapsedTime(started) < GiveUpAfter; attempt++)
        {
            if (attempt >= endpoints.Count + 1)
            {
                // Every broker was tried once: the coordinator is failing over. Back off, then go round again.
                var backoff = TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Min(attempt - endpoints.Count - 1, 5)));
                await Task.Delay(backoff, time, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                var response = await call(Client(endpoint), cancellationToken).ConfigureAwait(false);
                if (response.Error != GroupError.NotCoordinator)
                {
                    _coordinators[group] = endpoint;
                    return response;
                }

                endpoint = string.IsNullOrEmpty(response.CoordinatorEndpoint) ? endpoints[next++ % endpoints.Count] : response.CoordinatorEndpoint;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Unimplemented && !cancellationToken.IsCancellationRequested)
            {
                last = e;
                _coordinators.TryRemove(group, out _);
                endpoint = endpoints[next++ % endpoints.Count];
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (RpcException e) when (Security.SecurityErrors.IsSecurity(e))
            {
                throw Security.SecurityErrors.ToException(e, null, cluster);
            }
            catch (RpcException e)
            {
                throw new ConsumeException($"Cluster '{cluster}': group '{group}' request failed: {e.Status.Detail}", e) { Cluster = cluster };
            }
        }

        throw new ConsumeException($"Cluster '{cluster}': no coordinator answered for group '{group}' within {GiveUpAfter.TotalSeconds:0} s.", last) { Cluster = cluster };
    }

    private NorthguardGroups.NorthguardGroupsClient Client(string endpoint)
    {
        var channels = security ?? Security.ChannelSecurity.Plaintext;
        var address = channels.Address(endpoint);
        return new NorthguardGroups.NorthguardGroupsClient(_channels.GetOrAdd(address, a => channels.CreateChannel(a, maxReceiveMessageSize: 4 << 20)));
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}
