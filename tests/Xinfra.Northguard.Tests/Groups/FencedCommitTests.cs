using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.Groups;

/// <summary>
/// Commits fenced in the write itself, on a Raft-backed cluster: a member that stalls past its lease while the group's
/// coordinator (the vnode leader) changes has its late commit refused with <see cref="CommitFencedException"/> once
/// the new coordinator granted the range to another member, and that member's position stays.
/// </summary>
public sealed class FencedCommitTests
{
    private const string Group = "billing";
    private const string Topic = "invoices";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task LateCommit_AfterTheCoordinatorMovedAndRegrantedTheRange_IsFenced_AndTheNewHoldersPositionStays()
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
        await cluster.Brokers[0].Services.GetRequiredService<IMetadataService>().CreateTopicAsync(Topic, StoragePolicy.Default, 1, cts.Token);

        // Member A reads the range under the first coordinator and commits with its lease.
        ulong first = await GroupLeaderAsync(cluster, cts.Token);
        var a = await GrantedAsync(cluster.Broker(first).Services.GetRequiredService<GroupCoordinator>(), cts.Token);
        var survivors = cluster.Brokers.Where(b => b.BrokerId != first).Select(b => b.Endpoint).ToArray();
        await using var client = new NorthguardConsumerClient(new NorthguardClientOptions { Endpoints = survivors });
        await client.CommitAsync(Group, Topic, a.Range, 10, a.Member, a.Epoch, cts.Token);

        // A stalls (no more heartbeats) and the coordinator's broker stops: another broker leads the group's vnode.
        await cluster.StopBrokerAsync(first);
        ulong second = await GroupLeaderAsync(cluster, cts.Token);
        Assert.NotEqual(first, second);

        // After the takeover grace the new coordinator grants the range to B, which commits further.
        var b = await GrantedAsync(cluster.Broker(second).Services.GetRequiredService<GroupCoordinator>(), cts.Token);
        Assert.Equal(a.Range, b.Range);
        Assert.True(b.Epoch > a.Epoch, $"B's lease {b.Epoch} is not newer than A's {a.Epoch}.");
        Assert.Equal(10, await client.FetchPositionAsync(Group, Topic, b.Range, cts.Token));
        await client.CommitAsync(Group, Topic, b.Range, 20, b.Member, b.Epoch, cts.Token);

        // A wakes up and commits what it read meanwhile: refused, named, and B's position stays.
        var fenced = await Assert.ThrowsAsync<CommitFencedException>(() => client.CommitAsync(Group, Topic, a.Range, 15, a.Member, a.Epoch, cts.Token));
        Assert.Equal((Group, Topic, a.Range, a.Member, a.Epoch, b.Epoch, b.Member), (fenced.Group, fenced.Topic, fenced.RangeId, fenced.Member, fenced.LeaseEpoch, fenced.HolderEpoch, fenced.HolderMember));
        Assert.Equal(20, await client.FetchPositionAsync(Group, Topic, a.Range, cts.Token));

        // B keeps committing; a commit without a lease (a client from before fencing) is still accepted.
        await client.CommitAsync(Group, Topic, b.Range, 25, b.Member, b.Epoch, cts.Token);
        Assert.Equal(25, await client.FetchPositionAsync(Group, Topic, b.Range, cts.Token));
        await client.CommitAsync(Group, Topic, b.Range, 30, cts.Token);
        Assert.Equal(30, await client.FetchPositionAsync(Group, Topic, b.Range, cts.Token));
    }

    /// <summary>Joins a member at <paramref name="coordinator"/> and heartbeats until it is granted the topic's range.</summary>
    private static async Task<(string Member, ulong Range, long Epoch)> GrantedAsync(GroupCoordinator coordinator, CancellationToken cancellationToken)
    {
        var joined = coordinator.Join(new JoinGroupRequest { Group = Group, Topic = Topic, SessionTimeoutMs = 1_000 });
        var heartbeat = new HeartbeatRequest { Group = Group, Topic = Topic, MemberId = joined.MemberId };
        while (true)
        {
            var reply = await coordinator.HeartbeatAsync(heartbeat, cancellationToken);
            Assert.Equal(GroupError.None, reply.Error);
            if (reply.Granted.Count > 0)
            {
                var lease = Assert.Single(reply.Leases);
                Assert.Equal(Assert.Single(reply.Granted), lease.RangeId);
                return (joined.MemberId, lease.RangeId, lease.Epoch);
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The running broker leading the group's metadata vnode.</summary>
    private static async Task<ulong> GroupLeaderAsync(NorthguardCluster cluster, CancellationToken cancellationToken)
    {
        int vnode = GroupCoordinator.VnodeOf(cluster.Brokers[0].Services.GetRequiredService<MetadataHost>().Ring, Group);
        while (true)
        {
            foreach (var broker in cluster.Brokers)
            {
                if (await broker.Services.GetRequiredService<MetadataHost>().IsLeaderAsync(vnode, cancellationToken)
                    && await broker.Services.GetRequiredService<GroupCoordinator>().OtherCoordinatorAsync(Group, cancellationToken) is null)
                {
                    return broker.BrokerId;
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
