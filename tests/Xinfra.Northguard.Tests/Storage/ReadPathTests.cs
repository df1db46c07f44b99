using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class ReadPathTests
{
    [Fact]
    public async Task FindOffsetByTimestamp_UsesIndexAndFindsFirstRecordAtOrAfter()
    {
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        await using var store = await OpenMemoryAsync(device, index, Immediate with { IndexIntervalBytes = 512 });
        store.CreateSegment(1, "t", 0);
        for (var b = 0; b < 50; b++)
        {
            await store.AppendAsync(1, Records(1, b * 4, 4, extraBytes: 40, timestamp: 10_000 + (b * 100)));
        }

        Assert.True(index.Count > 5);
        Assert.Equal(0, await store.FindOffsetByTimestampAsync(1, 0));
        Assert.Equal(4 * 20, await store.FindOffsetByTimestampAsync(1, 10_000 + 2000));
        Assert.Equal((4 * 20) + 2, await store.FindOffsetByTimestampAsync(1, 10_000 + 2002));
        Assert.Equal((4 * 20) + 3, await store.FindOffsetByTimestampAsync(1, 10_000 + 2002 + 1));
        Assert.Null(await store.FindOffsetByTimestampAsync(1, 1_000_000));
        var mid = await store.ReadAsync(1, 137, 1);
        Assert.Equal(137, mid.Records[0].Offset);
        AssertIsRecord(1, mid.Records[0]);
    }

    [Fact]
    public async Task TailReader_Open_ServesTailFromMemoryWithoutDiskReads()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex());
        store.CreateSegment(1, "t", 0);
        await store.AppendAsync(1, Records(1, 0, 3));
        using (store.OpenTailReader(1))
        {
            await store.AppendAsync(1, Records(1, 3, 3));
            device.FailWhen = (name, op) => op == StorageOperation.Read;

            var tail = await store.ReadAsync(1, 4, 1000);
            Assert.Equal([4L, 5L], tail.Records.Select(r => r.Offset));
            tail.Records.ToList().ForEach(r => AssertIsRecord(1, r));
            await Assert.ThrowsAsync<IOException>(() => store.ReadAsync(1, 1, 1000).AsTask());
        }

        await Assert.ThrowsAsync<IOException>(() => store.ReadAsync(1, 4, 1000).AsTask());
    }

    [Fact]
    public async Task ConcurrentAppendAndRead_ReadersSeeEveryRecordInOrder()
    {
        using var dir = new TempDir();
        using var device = new FileStorageDevice(dir.Path);
        using var index = new RocksDbSparseIndex(Path.Combine(dir.Path, "index"));
        await using var store = await FpsStore.OpenAsync(device, index, FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromMilliseconds(1), IndexIntervalBytes = 1024 });
        store.CreateSegment(1, "t", 0);
        const int Total = 3000;

        var writer = Task.Run(async () =>
        {
            var next = 0;
            var pending = new List<Task>();
            while (next < Total)
            {
                var r = store.Append(1, Records(1, next, 10, extraBytes: next % 200));
                next += 10;
                pending.Add(store.WaitForDurableAsync(1, r.LastOffset).AsTask());
                if (pending.Count == 20)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }

            await Task.WhenAll(pending);
        });

        async Task ReadToEndAsync(bool tail)
        {
            using var lease = tail ? store.OpenTailReader(1) : null;
            var offset = 0L;
            while (offset < Total)
            {
                var result = await store.ReadAsync(1, offset, 4096);
                foreach (var record in result.Records)
                {
                    Assert.Equal(offset++, record.Offset);
                    AssertIsRecord(1, record);
                }

                if (result.Records.Count == 0)
                {
                    await Task.Yield();
                }
            }
        }

        await Task.WhenAll(writer, Task.Run(() => ReadToEndAsync(tail: true)), Task.Run(() => ReadToEndAsync(tail: false)))
            .WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Total, store.GetSegment(1)!.NextOffset);
    }
}
