using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

/// <summary>Random faults under many seeds, with the safety checks after every step and liveness after healing.</summary>
public sealed class RaftChaosTests
{
    [Theory]
    [InlineData(3, false)]
    [InlineData(5, false)]
    [InlineData(5, true)]
    public void Chaos_LossyNetworkPartitionsCrashes_SafeAndRecovers(int size, bool compact)
    {
        Seeds.Run(200, seed => RunChaos(seed, size, compact, ticks: 500));
    }

    internal static SimCluster RunChaos(int seed, int size, bool compact, int ticks)
    {
        var cluster = new SimCluster(seed, size) { CompactEvery = compact ? 10 : 0 };
        cluster.Network.Faults = NetworkFaults.Lossy;
        var rng = cluster.Random;
        int proposals = 0;
        for (int t = 0; t < ticks; t++)
        {
            double roll = rng.NextDouble();
            if (roll < 0.02)
            {
                cluster.Network.HealAll();
                var side = cluster.Ids.Where(_ => rng.NextDouble() < 0.4).ToList();
                cluster.Network.Partition(side, cluster.Ids);
            }
            else if (roll < 0.04)
            {
                cluster.Network.HealAll();
            }
            else if (roll < 0.05)
            {
                cluster.Crash(cluster.Ids[rng.Next(cluster.Ids.Count)]);
            }
            else if (roll < 0.07)
            {
                cluster.Restart(cluster.Ids[rng.Next(cluster.Ids.Count)]);
            }

            cluster.CrashBeforePersistRate = 0.002;
            if (cluster.Leader() is { } leader && rng.NextDouble() < 0.5)
            {
                if (cluster.Do(leader.Id, r => r.Propose(BitConverter.GetBytes(proposals))).IsAccepted)
                {
                    proposals++;
                }
            }

            cluster.Tick();
        }

        // Heal everything: the cluster must elect a leader and commit a new entry on every node.
        cluster.CrashBeforePersistRate = 0;
        cluster.Network.HealAll();
        cluster.Network.Faults = NetworkFaults.None;
        foreach (ulong id in cluster.Ids)
        {
            cluster.Restart(id);
        }

        // A leader that just regained its followers may still step down at its next quorum check and lose an
        // uncommitted proposal: that is allowed, so liveness means some proposal commits within a few attempts.
        ProposeResult result = default;
        bool applied = false;
        for (int attempt = 0; attempt < 5 && !applied; attempt++)
        {
            Assert.True(cluster.RunUntil(() => RaftElectionTests.AllFollow(cluster), 300), "no leader after healing");
            var final = cluster.Leader()!;
            result = cluster.Do(final.Id, r => r.Propose(new byte[] { 0xFF }));
            Assert.True(result.IsAccepted);
            applied = cluster.RunUntil(
                () => cluster.Ids.All(id => cluster.Raft(id).Applied >= result.Index) || final.Role != RaftRole.Leader, 300)
                && cluster.Checker.WasCommitted(result.Index, result.Term);
        }

        Assert.True(applied, "no proposal committed everywhere after healing: " + string.Join("; ", cluster.Ids.Select(id =>
        {
            var r = cluster.Raft(id);
            return $"{id}: {r.Role} t{r.Term} leader {r.Leader} last {r.LastIndex} commit {r.Committed} applied {r.Applied}";
        })));
        Assert.True(cluster.RunUntil(() => cluster.Ids.All(id => cluster.Raft(id).Applied >= result.Index), 300));
        cluster.CheckLogs();
        Assert.True(cluster.Checker.WasCommitted(result.Index, result.Term));
        return cluster;
    }
}
