using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Northguard.Tests.Storage;

public sealed class SparseIndexTests : IDisposable
{
    private readonly StorageTestKit.TempDir _dir = new();

    public static TheoryData<string> Kinds() => ["memory", "rocksdb"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FloorByOffset_FindsLastEntryAtOrBefore(string kind)
    {
        using var index = Create(kind);
        index.Add([new(1, 0, 512, long.MinValue), new(1, 100, 9000, 50), new(1, 200, 20000, 80), new(2, 0, 512, long.MinValue)]);

        Assert.Null(index.FloorByOffset(3, 10));
        Assert.Equal(512, index.FloorByOffset(1, 99)!.Value.Position);
        Assert.Equal(9000, index.FloorByOffset(1, 100)!.Value.Position);
        Assert.Equal(new IndexEntry(1, 200, 20000, 80), index.FloorByOffset(1, long.MaxValue));
        Assert.Null(index.FloorByOffset(1, -1));
        Assert.Equal(512, index.FloorByOffset(2, 5000)!.Value.Position);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FloorByTimestamp_FindsLastEntryWhoseEarlierRecordsAreOlder(string kind)
    {
        using var index = Create(kind);
        index.Add([new(1, 0, 512, long.MinValue), new(1, 100, 9000, 50), new(1, 200, 20000, 80), new(1, 300, 30000, 80)]);

        Assert.Equal(0, index.FloorByTimestamp(1, 50)!.Value.Offset);
        Assert.Equal(100, index.FloorByTimestamp(1, 51)!.Value.Offset);
        Assert.Equal(100, index.FloorByTimestamp(1, 80)!.Value.Offset);
        Assert.Equal(300, index.FloorByTimestamp(1, 81)!.Value.Offset);
        Assert.Null(index.FloorByTimestamp(2, 81));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RemoveSegment_DropsEntriesAndSealOfThatSegmentOnly(string kind)
    {
        using var index = Create(kind);
        index.Add([new(1, 0, 512, 0), new(2, 0, 512, 0)]);
        index.MarkSealed(1, new SealRecord(10, 4096));
        index.MarkSealed(2, new SealRecord(20, 8192));

        index.RemoveSegment(1);

        Assert.Null(index.FloorByOffset(1, 0));
        Assert.Null(index.GetSeal(1));
        Assert.Equal(new SealRecord(20, 8192), index.GetSeal(2));
        Assert.NotNull(index.FloorByOffset(2, 0));
    }

    [Fact]
    public void RocksDb_Reopen_KeepsEntriesAndSeals()
    {
        using (var index = new RocksDbSparseIndex(_dir.Path))
        {
            index.Add([new(-5, 7, 700, -3)]);
            index.MarkSealed(-5, new SealRecord(8, 1000));
            index.Sync();
        }

        using var reopened = new RocksDbSparseIndex(_dir.Path);
        Assert.Equal(new IndexEntry(-5, 7, 700, -3), reopened.FloorByOffset(-5, 7));
        Assert.Equal(new IndexEntry(-5, 7, 700, -3), reopened.FloorByTimestamp(-5, -2));
        Assert.Equal(new SealRecord(8, 1000), reopened.GetSeal(-5));
    }

    public void Dispose() => _dir.Dispose();

    private ISparseIndex Create(string kind) => kind == "memory" ? new InMemorySparseIndex() : new RocksDbSparseIndex(_dir.Path);
}
