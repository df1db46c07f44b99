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
/// redirects to it, and it grants nothing before the leadership grace has passed when a coordinator may have granted
/// the group before (its grant marker exists); a group never granted gets its ranges at once.
/// </summary>
public sealed class GroupCoordinatorLeadershipTests
{
    private const string Group = "billing";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NewGroup_OnAFreshCluster_GetsItsRangesWithoutTheGrace_AndRecordsItsMarker()
    {
        await using var cluster = await StartAsync();
        using var cts = new CancellationTokenSource(Deadline);
        ulong leader = await GroupLeaderAsync(cluster, cts.Token);
        var metadata = cluster.Brokers[0].Services.GetRequiredService<IMetadataService>();
        await metadata.CreateTopicAsync("invoices", StoragePolicy.Default, 2, cts.Token);
        Assert.Null(await metadata.GetDocumentAsync(GroupCoordinator.MarkerKey(Group), cts.Token));
        var coordinator = cluster.Broker(leader).Services.GetRequiredService<GroupCoordinator>();
        Assert.Null(await coordinator.OtherCoordinatorAsync(Group, cts.Token));

        var joined = coordinator.Join(new JoinGroupRequest { Group = Group, Topic = "invoices", SessionTimeoutMs = 5_000 });
        var started = Stopwatch.GetTimestamp();
        var first = await coordinator.HeartbeatAsync(new HeartbeatRequest { Group = Group, Topic = "invoices", MemberId = joined.MemberId }, cts.Token);

        Assert.Equal(GroupError.None, first.Error);
        Assert.Equal(2, first.Granted.Count);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5), $"First grant after {Stopwatch.GetElapsedTime(started)}.");
        Assert.NotNull(await metadata.GetDocumentAsync(GroupCoordinator.MarkerKey(Group), cts.Token));

        // A member joining later in the same term waits no grace either: once the first releases a range, it is granted.
        var second = coordinator.Join(new JoinGroupRequest { Group = Group, Topic = "invoices", SessionTimeoutMs = 5_000 });
        var kept = await coordinator.HeartbeatAsync(new HeartbeatRequest { Group = Group, Topic = "invoices", MemberId = joined.MemberId, Held = { first.Granted } }, cts.Token);
        var keptRange = Assert.Single(kept.Target);
        await coordinator.HeartbeatAsync(new HeartbeatRequest { Group = Group, Topic = "invoices", MemberId = joined.MemberId, Held = { keptRange } }, cts.Token);
        var reply = await coordinator.HeartbeatAsync(new HeartbeatRequest { Group = Group, Topic = "invoices", MemberId = second.MemberId }, cts.Token);
        Assert.Equal(GroupError.None, reply.Error);
        Assert.Equal(first.Granted.Where(r => r != keptRange), reply.Granted);
    }

    [Fact]
    public async Task Coordinator_IsTheGroupVnodeLeader_OthersRedirect_AndGrantsWaitTheLeadershipGrace()
    {
        await using var cluster = await StartAsync();
        using var cts = new CancellationTokenSource(Deadline);
        var host = cluster.Brokers[0].Services.GetRequiredService<MetadataHost>();

        ulong leader = await GroupLeaderAsync(cluster, cts.Token);

        // A coordinator of an earlier term granted this group: its marker exists, so its leases may be outstanding.
        await cluster.Brokers[0].Services.GetRequiredService<IMetadataService>()
            .PutDocumentAsync(GroupCoordinator.MarkerKey(Group), new byte[8], -1, cts.Token);
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

    private static Task<NorthguardCluster> StartAsync() => StartAndWaitAsync(new NorthguardClusterOptions
    {
        Brokers = 3,
        Modules = MetadataModule.ForCluster(3,
            m => new MetadataModuleOptions { Membership = m, VnodeCount = 8, TickPeriod = TimeSpan.FromMilliseconds(50) },
            _ => [new DataPathModule(DataPathOptions.Default)]),
    });

    private static async Task<NorthguardCluster> StartAndWaitAsync(NorthguardClusterOptions options)
    {
        var cluster = await NorthguardCluster.StartAsync(options);
        await cluster.WaitUntilReadyAsync(Deadline);
        return cluster;
    }

    /// <summary>The broker leading the group's metadata vnode.</summary>
    private static async Task<ulong> GroupLeaderAsync(NorthguardCluster cluster, CancellationToken cancellationToken)
    {
        int vnode = GroupCoordinator.VnodeOf(cluster.Brokers[0].Services.GetRequiredService<MetadataHost>().Ring, Group);
        while (true)
        {
            foreach (var broker in cluster.Brokers)
            {
                if (await broker.Services.GetRequiredService<MetadataHost>().IsLeaderAsync(vnode, cancellationToken))
                {
                    return broker.BrokerId;
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
