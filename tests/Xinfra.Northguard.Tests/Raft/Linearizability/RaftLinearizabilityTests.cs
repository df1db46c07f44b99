using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft.Linearizability;

/// <summary>A key-value store on one Raft group stays linearizable under partitions, loss and restarts.</summary>
public sealed class RaftLinearizabilityTests
{
    [Fact]
    public void KvOnRaft_PartitionsLossRestarts_HistoryIsLinearizable()
    {
        int completed = 0;
        Seeds.Run(100, seed =>
        {
            var (history, done) = RunWorkload(seed, unsafeLocalReads: false);
            completed += done;
            Assert.True(LinearizabilityChecker.IsLinearizable(history, out string? key), $"not linearizable on key {key}");
        });

        // The workload must exercise the system: most operations complete despite the faults.
        Assert.True(completed > 100 * Seeds.Multiplier * 50, $"only {completed} operations completed");
    }

    [Fact]
    public void KvOnRaft_UnsafeLocalReads_CheckerCatchesStaleReads()
    {
        // The control: reading a node's local state without read index is not linearizable, and the checker
        // must notice on at least one seed.
        int violations = 0;
        for (int seed = 1; seed <= 40 && violations == 0; seed++)
        {
            var (history, _) = RunWorkload(seed, unsafeLocalReads: true);
            if (!LinearizabilityChecker.IsLinearizable(history, out _))
            {
                violations++;
            }
        }

        Assert.True(violations > 0);
    }

    private static (List<KvOperation> History, int Completed) RunWorkload(int seed, bool unsafeLocalReads)
    {
        var cluster = new SimCluster(seed, 5, stateMachine: () => new KvStateMachine())
        {
            CompactEvery = 16,
            CrashBeforePersistRate = 0.001,
        };
        cluster.Network.Faults = NetworkFaults.Lossy;
        var workload = new KvWorkload(cluster, clients: 4, unsafeLocalReads);
        var rng = cluster.Random;
        for (int t = 0; t < 400; t++)
        {
            double roll = rng.NextDouble();
            if (roll < 0.02)
            {
                cluster.Network.HealAll();
                cluster.Network.Partition(cluster.Ids.Where(_ => rng.NextDouble() < 0.4).ToList(), cluster.Ids);
            }
            else if (roll < 0.035)
            {
                cluster.Network.HealAll();
            }
            else if (roll < 0.045)
            {
                cluster.Crash(cluster.Ids[rng.Next(cluster.Ids.Count)]);
            }
            else if (roll < 0.07)
            {
                cluster.Restart(cluster.Ids[rng.Next(cluster.Ids.Count)]);
            }

            workload.Step();
            cluster.Tick();
        }

        cluster.Network.HealAll();
        cluster.Run(60);
        workload.Abandon();
        return (workload.History, workload.Completed);
    }
}
