using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftPartitionTests
{
    [Fact]
    public void PartitionedLeader_MinorityWritesNeverCommit_MajorityMovesOn_OldLeaderStepsDownAndRejoins()
    {
        Seeds.Run(50, seed =>
        {
            var c = new SimCluster(seed, 5);
            var applied = new HashSet<int>();
            c.OnApplied = (_, e) =>
            {
                if (e.Data.Length == 4)
                {
                    applied.Add(BitConverter.ToInt32(e.Data.Span));
                }
            };
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
            var old = c.Leader()!;
            long oldTerm = old.Term;
            ulong buddy = c.Ids.First(id => id != old.Id);
            c.Network.Partition([old.Id, buddy], c.Ids);

            for (int i = 0; i < 5; i++)
            {
                Assert.True(c.Do(old.Id, r => r.Propose(BitConverter.GetBytes(1000 + i))).IsAccepted);
            }

            Assert.True(c.RunUntil(() => c.Leader() is { } l && l.Id != old.Id && l.Term > oldTerm, 200), "majority elected no leader");
            Assert.True(c.RunUntil(() => old.Role != RaftRole.Leader, 100), "old leader did not step down (check quorum)");
            var fresh = c.Leader()!;
            var last = c.Do(fresh.Id, r => r.Propose(BitConverter.GetBytes(7)));
            Assert.True(c.RunUntil(() => applied.Contains(7), 100));

            c.Network.HealAll();
            Assert.True(c.RunUntil(() => c.Ids.All(id => c.Raft(id).Applied >= last.Index), 200));
            Assert.DoesNotContain(applied, v => v >= 1000);
            Assert.Equal(fresh.Id, c.Raft(old.Id).Leader);
            c.CheckLogs();
        });
    }

    [Fact]
    public void LostAndReorderedMessages_HeavyLoss_AllProposalsOfStableLeaderEventuallyApply()
    {
        Seeds.Run(50, seed =>
        {
            var c = new SimCluster(seed, 3);
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
            c.Network.Faults = new NetworkFaults { DropRate = 0.3, DuplicateRate = 0.2, MaxDelay = 6 };
            var leader = c.Leader()!;
            var results = new List<ProposeResult>();
            for (int i = 0; i < 30 && leader.Role == RaftRole.Leader; i++)
            {
                results.Add(c.Do(leader.Id, r => r.Propose(BitConverter.GetBytes(i))));
                c.Tick();
            }

            c.Network.Faults = NetworkFaults.None;
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 300));
            long lastIndex = c.Leader()!.LastIndex;
            Assert.True(c.RunUntil(() => c.Ids.All(id => c.Raft(id).Applied >= lastIndex), 300));
            foreach (var r in results)
            {
                // Proposals of a leader that kept its term all commit; others may be overwritten, never reordered.
                if (r.Term == c.Leader()!.Term)
                {
                    Assert.True(c.Checker.WasCommitted(r.Index, r.Term));
                }
            }

            c.CheckLogs();
        });
    }
}
