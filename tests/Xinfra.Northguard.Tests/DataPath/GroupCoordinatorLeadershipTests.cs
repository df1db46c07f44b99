using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>
/// The group coordinator on a Raft-backed cluster: it is the leader of the group's metadata vnode, every other broker
/// redirects to it, and it grants nothing before the leadership grace has passed.
/// </summary>
public sealed class GroupCoordinatorLeadershipTests
{
    private const string Group = "billing";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Coordinator_IsTheGroupVnodeLeader_OthersRedirect_AndGrantsWaitTheLeadershipGrace()
    {
        await using var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions
        {
            Brokers = 3,
            Modules = MetadataModule.ForCluster(3,
                m => new MetadataModuleOptions { Membership = m, VnodeCount = 8, TickPeriod = TimeSpan.FromMilliseconds(50) },
                _ => [new DataPathModule(DataPathOptions.Default)]),
        });
        await cluster.WaitUntilReadyAsync(Deadline);
        using var cts = new CancellationTokenSource(Deadline);
        var host = cluster.Brokers[0].Services.GetRequiredService<MetadataHost>();
        int vnode = GroupCoordinator.VnodeOf(host.Ring, Group);
        ulong leader = 0;
        while (leader == 0)
        {
            foreach (var broker in cluster.Brokers)
            {
                if (await broker.Services.GetRequiredService<MetadataHost>().IsLeaderAsync(vnode, cts.Token))
                {
                    leader = broker.BrokerId;
                }
            }

            await Task.Delay(50, cts.Token);
        }

        long seenLeading = Stopwatch.GetTimestamp();
        foreach (var broker in cluster.Brokers)
        {
            string? other = await broker.Services.GetRequiredService<GroupCoordinator>().OtherCoordinatorAsync(Group, cts.Token);
            Assert.Equal(broker.BrokerId == leader ? null : cluster.Broker(leader).Endpoint, other);
        }

        await cluster.Brokers[0].Services.GetRequiredService<IMetadataService>().CreateTopicAsync("invoices", StoragePolicy.Default, 2, cts.Token);
        var coordinator = cluster.Broker(leader).Services.GetRequiredService<GroupCoordinator>();
        var session = TimeSpan.FromSeconds(5);
        var joined = coordinator.Join(new JoinGroupRequest { Group = Group, Topic = "invoices", SessionTimeoutMs = (int)session.TotalMilliseconds });
        var heartbeat = new HeartbeatRequest { Group = Group, Topic = "invoices", MemberId = joined.MemberId };

        var first = await coordinator.HeartbeatAsync(heartbeat, cts.Token);
        Assert.Equal(GroupError.None, first.Error);
        Assert.Equal(2, first.Target.Count);
        Assert.Empty(first.Granted);

        GroupResponse reply;
        do
        {
            await Task.Delay(100, cts.Token);
            reply = await coordinator.HeartbeatAsync(heartbeat, cts.Token);
        }
        while (reply.Granted.Count == 0);

        var grace = GroupCoordinator.LeadershipGrace(session, host.StepDownBound);
        Assert.True(Stopwatch.GetElapsedTime(seenLeading) >= grace, $"Granted after {Stopwatch.GetElapsedTime(seenLeading)}, before the grace {grace}.");
        Assert.Equal(2, reply.Granted.Count);
    }
}
