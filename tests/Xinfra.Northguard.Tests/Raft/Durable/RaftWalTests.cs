using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Durable;

namespace Xinfra.Northguard.Tests.Raft.Durable;

public sealed class RaftWalTests
{
    private static LogEntry E(long index, long term, byte data = 0) => new(index, term, EntryKind.Normal, new[] { data });

    [Fact]
    public void Reopen_AfterSync_RestoresEntriesHardStateAndGroups()
    {
        using var dir = new TempDirectory();
        using (var wal = RaftWal.Open(dir.Path))
        {
            var a = wal.GetOrCreate(1, [1, 2, 3]);
            var b = wal.GetOrCreate(2, [1, 2, 3]);
            a.Append([E(2, 2, 20), E(3, 2, 30)]);
            b.Append([E(2, 5, 7)]);
            a.SetHardState(new HardState(2, 1, 3));
            wal.Sync();
        }

        using var reopened = RaftWal.Open(dir.Path);
        Assert.Equal(0, reopened.TruncatedBytes);
        Assert.Equal([1UL, 2UL], reopened.Groups.Order());
        var ra = reopened.GetOrCreate(1);
        Assert.Equal(new HardState(2, 1, 3), ra.HardState);
        Assert.Equal(3, ra.LastIndex);
        Assert.Equal([1UL, 2UL, 3UL], ra.Snapshot.Voters);
        var entries = new List<LogEntry>();
        ra.GetEntries(2, 4, entries);
        Assert.True(entries[1].SameAs(E(3, 2, 30)));
        Assert.True(reopened.GetOrCreate(2).TryGetTerm(2, out long t) && t == 5);
    }

    [Fact]
    public void Append_ConflictingSuffix_IsTruncatedAlsoAfterReopen()
    {
        using var dir = new TempDirectory();
        using (var wal = RaftWal.Open(dir.Path))
        {
            var s = wal.GetOrCreate(1, [1]);
            s.Append([E(2, 1), E(3, 1), E(4, 1)]);
            s.Append([E(3, 2, 9)]);
            Assert.Equal(3, s.LastIndex);
            wal.Sync();
        }

        using var reopened = RaftWal.Open(dir.Path);
        var r = reopened.GetOrCreate(1);
        Assert.Equal(3, r.LastIndex);
        Assert.True(r.TryGetTerm(3, out long t) && t == 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(13)]
    public void Reopen_TornTail_DropsOnlyTheIncompleteRecord(int cut)
    {
        using var dir = new TempDirectory();
        long goodLength;
        using (var wal = RaftWal.Open(dir.Path))
        {
            var s = wal.GetOrCreate(1, [1]);
            s.Append([E(2, 1, 1)]);
            wal.Sync();
            goodLength = wal.Length;
            s.Append([E(3, 1, 2)]);
            wal.Sync();
        }

        using (var file = new FileStream(dir.WalFile, FileMode.Open))
        {
            file.SetLength(file.Length - cut);
        }

        using var reopened = RaftWal.Open(dir.Path);
        Assert.Equal(2, reopened.GetOrCreate(1).LastIndex);
        Assert.True(reopened.TruncatedBytes > 0);
        Assert.Equal(goodLength, reopened.Length);
    }

    [Fact]
    public void Reopen_CorruptRecord_StopsThereAndTruncates()
    {
        using var dir = new TempDirectory();
        long firstGood;
        using (var wal = RaftWal.Open(dir.Path))
        {
            var s = wal.GetOrCreate(1, [1]);
            wal.Sync();
            firstGood = wal.Length;
            s.Append([E(2, 1, 1), E(3, 1, 2)]);
            wal.Sync();
        }

        var bytes = File.ReadAllBytes(dir.WalFile);
        bytes[firstGood + 20] ^= 0xFF; // Inside the first entry record's body.
        File.WriteAllBytes(dir.WalFile, bytes);

        using var reopened = RaftWal.Open(dir.Path);
        Assert.Equal(1, reopened.GetOrCreate(1).LastIndex);
        Assert.Equal(firstGood, reopened.Length);
    }

    [Fact]
    public void Compact_ThenReopen_KeepsSnapshotAndSuffix()
    {
        using var dir = new TempDirectory();
        using (var wal = RaftWal.Open(dir.Path))
        {
            var s = wal.GetOrCreate(1, [1, 2]);
            for (int i = 2; i <= 10; i++)
            {
                s.Append([E(i, 1, (byte)i)]);
            }

            s.Compact(7, [1, 2], new byte[] { 77 });
            wal.Sync();
        }

        using var reopened = RaftWal.Open(dir.Path);
        var r = reopened.GetOrCreate(1);
        Assert.Equal(8, r.FirstIndex);
        Assert.Equal(10, r.LastIndex);
        Assert.Equal(7, r.Snapshot.Index);
        Assert.Equal(new byte[] { 77 }, r.Snapshot.Data.ToArray());
    }

    [Fact]
    public void Checkpoint_WhenFileGrows_ShrinksFileAndPreservesState()
    {
        using var dir = new TempDirectory();
        using (var wal = RaftWal.Open(dir.Path, checkpointBytes: 4096))
        {
            var s = wal.GetOrCreate(3, [1, 2, 3]);
            for (int i = 2; i <= 200; i++)
            {
                s.Append([E(i, 1, (byte)i)]);
                s.SetHardState(new HardState(1, 0, i));
                if (i % 50 == 0)
                {
                    s.Compact(i - 10, [1, 2, 3], new byte[] { (byte)i });
                }

                wal.Sync();
            }

            Assert.True(wal.Length < 4096 + 1024);
        }

        Assert.False(File.Exists(dir.WalFile + ".tmp"));
        using var reopened = RaftWal.Open(dir.Path);
        var r = reopened.GetOrCreate(3);
        Assert.Equal(200, r.LastIndex);
        Assert.Equal(190, r.Snapshot.Index);
        Assert.Equal(new HardState(1, 0, 200), r.HardState);
    }

    [Fact]
    public void Dispose_WithoutSync_NeverLeavesAPartialRecord()
    {
        // Sync is the durability point: a WAL closed without Sync may keep or lose the tail, never half a record.
        using var dir = new TempDirectory();
        using (var wal = RaftWal.Open(dir.Path))
        {
            wal.GetOrCreate(1, [1]).Append([E(2, 1)]);
        }

        using var reopened = RaftWal.Open(dir.Path);
        Assert.Equal(0, reopened.TruncatedBytes);
        Assert.InRange(reopened.GetOrCreate(1).LastIndex, 1, 2);
    }
}
