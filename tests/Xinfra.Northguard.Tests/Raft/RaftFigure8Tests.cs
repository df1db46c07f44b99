using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

/// <summary>Figure 8 of the Raft paper: an entry stored on a majority is not committed until an entry of the
/// leader's own term is, because a later leader may still overwrite it.</summary>
public sealed class RaftFigure8Tests
{
    private static readonly byte[] X = [0x58];
    private static readonly byte[] Y = [0x59];

    [Fact]
    public void Figure8_EntryOnMajorityFromOldTerm_IsOverwrittenNeverApplied()
    {
        // Nobody ticks: elections happen only when the test asks for them.
        var c = new SimCluster(1, 5, o => o with { PreVote = false, CheckQuorum = false });
        ulong[] ids = [1, 2, 3, 4, 5];
        Elect(c, 1);
        long term2 = c.Raft(1).Term;

        // (a) Leader 1 replicates X only to node 2.
        c.Network.Partition([1, 2], ids);
        var x = c.Do(1, r => r.Propose(X));
        c.DeliverAll();
        Assert.True(c.Raft(2).TryGetTerm(x.Index, out long t) && t == term2);
        Assert.Equal(x.Index - 1, c.Raft(3).LastIndex);

        // (b) 1 crashes; 5 wins with 3 and 4, and appends Y locally only.
        c.Crash(1);
        c.Network.HealAll();
        c.Network.Cut(5, 2);
        c.Network.Filter = m => !(m.From == 5 && m.Type == MessageType.Append);
        Elect(c, 5);
        var y = c.Do(5, r => r.Propose(Y));
        c.DeliverAll();
        Assert.Equal(x.Index + 1, y.Index);

        // (c) 5 crashes; 1 restarts and wins a later term; X reaches node 3 (now on 1, 2, 3: a majority),
        //     but node 3's acknowledgement is lost, so nothing of the new term commits.
        c.Crash(5);
        c.Network.HealAll();
        c.Restart(1);
        c.Network.Filter = m => !(m.From == 1 && m.Type == MessageType.Append && m.To != 3)
            && !(m.From == 3 && m.Type == MessageType.AppendResponse && !m.Reject);
        Elect(c, 1);
        c.DeliverAll();
        int holders = ids.Count(id => c.Nodes[id].Storage.TryGetTerm(x.Index, out long tx) && tx == term2);
        Assert.True(holders >= 3, $"X should be on a majority, is on {holders}");
        Assert.True(c.Raft(1).Committed < x.Index);

        // (d) 1 crashes; 5 restarts and wins with 2 and 4 (its last term beats theirs), overwriting X.
        c.Crash(1);
        c.Network.Filter = null;
        c.Restart(5);
        Elect(c, 5);
        c.DeliverAll();
        c.Restart(1);
        c.Do(5, r => r.Propose(new byte[] { 1 }));
        c.Run(5); // Heartbeats unpause the probe to the restarted node 1.
        Assert.Equal(RaftRole.Leader, c.Raft(5).Role);

        Assert.False(c.Checker.WasCommitted(x.Index, term2));
        Assert.True(c.Checker.WasCommitted(y.Index, y.Term));
        foreach (ulong id in ids)
        {
            Assert.True(c.Raft(id).TryGetTerm(x.Index, out long final) && final != term2, $"node {id} still holds X");
        }

        c.CheckLogs();
    }

    [Fact]
    public void Figure8Unreliable_LeadersCrashOftenUnderLoss_Safe()
    {
        Seeds.Run(100, seed =>
        {
            var c = new SimCluster(seed, 5, o => o with { PreVote = seed % 2 == 0 });
            c.Network.Faults = NetworkFaults.Lossy with { MaxDelay = 5 };
            var rng = c.Random;
            for (int t = 0; t < 500; t++)
            {
                if (c.Leader() is { } leader)
                {
                    c.Do(leader.Id, r => r.Propose(BitConverter.GetBytes(t)));
                    if (rng.NextDouble() < 0.05)
                    {
                        c.Crash(leader.Id);
                    }
                }

                if (rng.NextDouble() < 0.1)
                {
                    c.Restart(c.Ids[rng.Next(c.Ids.Count)]);
                }

                c.Tick();
            }

            c.Network.Faults = NetworkFaults.None;
            foreach (ulong id in c.Ids)
            {
                c.Restart(id);
            }

            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 300));
            c.CheckLogs();
            Assert.True(c.Checker.CommittedCount > 0);
        });
    }

    private static void Elect(SimCluster c, ulong id)
    {
        for (int attempt = 0; attempt < 4 && c.Raft(id).Role != RaftRole.Leader; attempt++)
        {
            c.Do(id, r =>
            {
                r.Campaign();
                return 0;
            });
            c.DeliverAll();
        }

        Assert.Equal(RaftRole.Leader, c.Raft(id).Role);
    }
}
