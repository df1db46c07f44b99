using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Segments;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class TailCacheTests
{
    [Fact]
    public void TryRead_GapBetweenCachedBatches_StopsAtTheGapInsteadOfSkippingRecords()
    {
        var cache = new TailCache(1 << 20);
        cache.Add(0, 10, Batch(0, 10));
        cache.Add(20, 30, Batch(20, 10));

        var records = new List<StoredRecord>();
        Assert.True(cache.TryRead(5, 1 << 20, 30, records));
        Assert.Equal(Enumerable.Range(5, 5).Select(i => (long)i), records.Select(r => r.Offset));

        records.Clear();
        Assert.False(cache.TryRead(12, 1 << 20, 30, records));
        Assert.True(cache.TryRead(25, 1 << 20, 28, records));
        Assert.Equal([25L, 26L, 27L], records.Select(r => r.Offset));
    }

    [Fact]
    public void Add_BeyondCapacity_EvictsOldestBatches()
    {
        var (first, second, third) = (Batch(0, 10), Batch(10, 10), Batch(20, 10));
        var cache = new TailCache(second.Length + third.Length);
        cache.Add(0, 10, first);
        cache.Add(10, 20, second);
        cache.Add(20, 30, third);

        Assert.False(cache.TryRead(0, 1 << 20, 30, []));
        var records = new List<StoredRecord>();
        Assert.True(cache.TryRead(10, 1 << 20, 30, records));
        Assert.Equal(20, records.Count);
    }

    private static byte[] Batch(long baseOffset, int count)
    {
        var records = Records(1, baseOffset, count);
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, baseOffset, records);
        return batch;
    }
}
