using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class ManualFlushTests
{
    private static readonly FpsStoreOptions Manual = FpsStoreOptions.Default with { ManualFlush = true };

    [Fact]
    public async Task FlushNow_CommitsThePendingGroupWithOneFsyncOnTheCallersThread()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await FpsStore.OpenAsync(device, new InMemorySparseIndex(), Manual);
        store.CreateSegment(1, "orders", 0);
        store.CreateSegment(2, "orders", 100);
        var a = store.Append(1, Records(1, 0, 3));
        var b = store.Append(2, Records(2, 100, 2));
        var wait = store.WaitForDurableAsync(1, a.LastOffset).AsTask();
        var flushesBefore = device.FlushCount;

        Assert.False(wait.IsCompleted);
        Assert.Equal(0, store.GetSegment(1)!.NextOffset);
        Assert.Empty((await store.ReadAsync(1, 0, 1000)).Records);

        Assert.True(store.FlushNow());

        Assert.Equal(1, device.FlushCount - flushesBefore);
        Assert.Equal(3, store.GetSegment(1)!.NextOffset);
        Assert.Equal(b.LastOffset + 1, store.GetSegment(2)!.NextOffset);
        Assert.Equal(3, (await ReadAllAsync(store, 1)).Count);
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(store.FlushNow());
    }

    [Fact]
    public async Task FlushNow_FailedFsync_FailsTheStoreAndItsWaiters()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await FpsStore.OpenAsync(device, new InMemorySparseIndex(), Manual);
        store.CreateSegment(1, "orders", 0);
        var a = store.Append(1, Records(1, 0, 1));
        var wait = store.WaitForDurableAsync(1, a.LastOffset).AsTask();
        device.FailWhen = (name, op) => op == StorageOperation.Flush && name.StartsWith("wal-", StringComparison.Ordinal);

        store.FlushNow();

        await Assert.ThrowsAsync<StorageFailedException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<StorageFailedException>(() => store.Append(1, Records(1, 1, 1)));
        device.FailWhen = null;
    }

    [Fact]
    public async Task FlushNow_OnAStoreWithItsOwnFlusher_Throws()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await FpsStore.OpenAsync(device, new InMemorySparseIndex(), Immediate);

        Assert.Throws<InvalidOperationException>(() => store.FlushNow());
    }
}
