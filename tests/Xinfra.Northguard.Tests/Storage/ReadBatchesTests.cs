using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Northguard.Storage.Segments;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

/// <summary>Reading stored batches as bytes (consume passthrough), from disk and from the tail cache.</summary>
public class ReadBatchesTests
{
    [Fact]
    public async Task ReadBatchesAsync_FromMidBatch_WholeBatchesFromTheOneHoldingTheOffsetDecodingToTheSameRecords()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex());
        store.CreateSegment(1, "orders", baseOffset: 100);
        await store.AppendAsync(1, Records(1, 100, 3));
        await store.AppendAsync(1, Records(1, 103, 4));

        var batches = await store.ReadBatchesAsync(1, 101, 1 << 20);

        Assert.Equal(2, batches.Count);
        var headers = batches.Select(b => BatchHeader.TryRead(b.Span, out var h) ? h : throw new InvalidOperationException()).ToList();
        Assert.Equal([(100L, 103L), (103L, 107L)], headers.Select(h => (h.BaseOffset, h.NextOffset)));
        Assert.All(batches, b => Assert.True(BatchHeader.CrcMatches(b.Span)));
        var decoded = new List<StoredRecord>();
        foreach (var batch in batches)
        {
            Assert.True(BatchDecoder.TryDecode(batch, 101, long.MaxValue, decoded));
        }

        var read = await ReadAllAsync(store, 1, 101);
        Assert.Equal(read.Select(r => (r.Offset, r.Record.Value.ToArray().Length, r.Record.Timestamp)), decoded.Select(r => (r.Offset, r.Record.Value.ToArray().Length, r.Record.Timestamp)));
        Assert.Empty(await store.ReadBatchesAsync(1, 107, 1 << 20));
        await Assert.ThrowsAsync<OffsetOutOfRangeException>(() => store.ReadBatchesAsync(1, 108, 1 << 20).AsTask());
    }

    [Fact]
    public async Task ReadBatchesAsync_SmallMaxBytesOrMaxRecords_StopsAfterTheBatchReachingThem()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex());
        store.CreateSegment(1, "orders", baseOffset: 0);
        await store.AppendAsync(1, Records(1, 0, 5));
        await store.AppendAsync(1, Records(1, 5, 5));

        var batches = await store.ReadBatchesAsync(1, 0, 1);

        Assert.Single(batches);
        Assert.Single(await store.ReadBatchesAsync(1, 2, 1 << 20, maxRecords: 3));
        Assert.Equal(2, (await store.ReadBatchesAsync(1, 2, 1 << 20, maxRecords: 4)).Count);
    }

    [Fact]
    public void TailCache_TryReadBatches_StopsOnceMaxRecordsAreCovered()
    {
        var cache = new TailCache(1 << 20);
        cache.Add(0, 10, Batch(0, 10));
        cache.Add(10, 20, Batch(10, 10));

        var batches = new List<ReadOnlyMemory<byte>>();
        Assert.True(cache.TryReadBatches(4, 1 << 20, 6, 20, batches));
        Assert.Single(batches);
    }

    [Fact]
    public void TailCache_TryReadBatches_StopsAtAGapAndBeforeABatchPastTheLimit()
    {
        var cache = new TailCache(1 << 20);
        cache.Add(0, 10, Batch(0, 10));
        cache.Add(10, 20, Batch(10, 10));
        cache.Add(30, 40, Batch(30, 10));

        var batches = new List<ReadOnlyMemory<byte>>();
        Assert.True(cache.TryReadBatches(5, 1 << 20, long.MaxValue, 40, batches));
        Assert.Equal(2, batches.Count);

        batches.Clear();
        Assert.True(cache.TryReadBatches(0, 1 << 20, long.MaxValue, 15, batches));
        Assert.Single(batches);

        batches.Clear();
        Assert.False(cache.TryReadBatches(22, 1 << 20, long.MaxValue, 40, batches));
        Assert.False(cache.TryReadBatches(0, 1 << 20, long.MaxValue, 5, batches));
        Assert.Empty(batches);
    }

    private static byte[] Batch(long baseOffset, int count)
    {
        var records = Records(1, baseOffset, count);
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, baseOffset, records);
        return batch;
    }
}
