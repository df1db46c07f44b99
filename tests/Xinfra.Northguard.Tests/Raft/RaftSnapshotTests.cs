using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft;

public sealed class RaftSnapshotTests
{
    [Fact]
    public void LaggingFollower_LogCompactedPastIt_CatchesUpByInstallingSnapshot()
    {
        Seeds.Run(50, seed =>
        {
            var c = new SimCluster(seed, 3) { CompactEvery = 5 };
            Assert.True(c.RunUntil(() => RaftElectionTests.AllFollow(c), 200));
            var leader = c.Leader()!;
            ulong lagging = c.Ids.First(id => id != leader.Id);
            c.Network.Isolate(lagging, c.Ids);
            ProposeResult last = default;
            for (int i = 0; i < 40; i++)
            {
                last = c.Do(leader.Id, r => r.Propose(BitConverter.GetBytes(i)));
                c.Tick();
            }

            Assert.True(c.RunUntil(() => leader.Applied >= last.Index, 100));
            Assert.True(leader.FirstIndex > c.Raft(lagging).LastIndex + 1, "the leader's log was not compacted");

            c.Network.HealAll();
            bool dropFirst = seed % 2 == 0;
            c.Network.Filter = m =>
            {
                // On even seeds the first snapshot is lost: the leader must give up waiting and send another.
                if (dropFirst && m.Type == MessageType.InstallSnapshot)
                {
                    dropFirst = false;
                    return false;
                }

                return true;
            };
            Assert.True(c.RunUntil(() => c.Raft(lagging).Applied >= last.Index, 200), "follower did not catch up");
            Assert.True(c.Nodes[lagging].SnapshotsInstalled >= 1);
            Assert.InRange(c.Network.SentByType[MessageType.InstallSnapshot], 1, 3); // No snapshot per heartbeat.
            Assert.Equal(c.Nodes[leader.Id].StateMachine.Digest, c.Nodes[lagging].StateMachine.Digest);

            // A restart restores the state machine from the persisted snapshot and replays the rest.
            c.Crash(lagging);
            c.Restart(lagging);
            Assert.True(c.RunUntil(() => c.Raft(lagging).Applied >= last.Index, 100));
            Assert.Equal(c.Nodes[leader.Id].StateMachine.Digest, c.Nodes[lagging].StateMachine.Digest);
        });
    }

    [Fact]
    public void InstallSnapshot_OlderThanCommit_IsIgnored()
    {
        var storage = new MemoryRaftStorage([1, 2]);
        storage.Append([new LogEntry(2, 1, EntryKind.Normal, new byte[] { 1 }), new LogEntry(3, 1, EntryKind.Normal, new byte[] { 2 })]);
        storage.SetHardState(new HardState(1, 0, 3));
        var node = new RaftNode(new RaftOptions { Id = 1, Random = new Random(1) }, storage);
        RaftReplicationTests.Persist(node, storage);
        node.Step(new RaftMessage
        {
            Type = MessageType.InstallSnapshot, From = 2, To = 1, Term = 2,
            Snapshot = new RaftSnapshot(2, 1, [1, 2], new byte[] { 7 }),
        });
        var ready = node.GetReady();
        Assert.Null(ready.Snapshot);
        Assert.Equal(3, Assert.Single(ready.Messages).Index);
        node.Advance();
    }

    [Fact]
    public void MemoryStorage_CompactThenAppend_KeepsIndexesAndTerms()
    {
        var storage = new MemoryRaftStorage([1]);
        for (int i = 2; i <= 10; i++)
        {
            storage.Append([new LogEntry(i, i / 3, EntryKind.Normal, new byte[] { (byte)i })]);
        }

        storage.Compact(6, [1], new byte[] { 42 });
        Assert.Equal(7, storage.FirstIndex);
        Assert.Equal(10, storage.LastIndex);
        Assert.True(storage.TryGetTerm(6, out long t6) && t6 == 2);
        Assert.False(storage.TryGetTerm(5, out _));
        storage.Append([new LogEntry(8, 9, EntryKind.Normal, new byte[] { 8 })]);
        Assert.Equal(8, storage.LastIndex);
        var entries = new List<LogEntry>();
        storage.GetEntries(7, 9, entries);
        Assert.Equal([7L, 8L], entries.Select(e => e.Index));
        Assert.Equal(9, entries[1].Term);
        Assert.Throws<ArgumentOutOfRangeException>(() => storage.GetEntries(5, 8, entries));
    }
}
