using Microsoft.Extensions.Time.Testing;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class GroupCommitTests
{
    [Fact]
    public async Task Appends_WithinWindow_ShareOneFsyncAndAreInvisibleUntilDurable()
    {
        var time = new FakeTimeProvider();
        using var device = new MemoryStorageDevice();
        var options = FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromMilliseconds(10) };
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), options, time);
        for (var s = 1; s <= 4; s++)
        {
            store.CreateSegment(s, "orders", 0);
        }

        var flushesBefore = device.FlushCount;
        var waits = new List<Task>();
        for (var i = 0; i < 20; i++)
        {
            var segment = (i % 4) + 1;
            var result = store.Append(segment, Records(segment, i / 4, 1));
            waits.Add(store.WaitForDurableAsync(segment, result.LastOffset).AsTask());
        }

        Assert.All(waits, w => Assert.False(w.IsCompleted));
        Assert.Empty((await store.ReadAsync(1, 0, 1000)).Records);

        await AdvanceUntilAsync(time, Task.WhenAll(waits));

        Assert.Equal(1, device.FlushCount - flushesBefore);
        Assert.Equal(5, (await ReadAllAsync(store, 1)).Count);
    }

    [Fact]
    public async Task Appends_ReachingCountLimit_CommitWithoutWaitingForTheWindow()
    {
        var time = new FakeTimeProvider();
        using var device = new MemoryStorageDevice();
        var options = FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromHours(1), GroupCommitMaxAppends = 5 };
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), options, time);
        store.CreateSegment(1, "orders", 0);

        AppendResult last = default;
        for (var i = 0; i < 5; i++)
        {
            last = store.Append(1, Records(1, i, 1));
        }

        await store.WaitForDurableAsync(1, last.LastOffset).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5, (await ReadAllAsync(store, 1)).Count);
    }

    [Fact]
    public async Task Appends_ReachingByteLimit_CommitWithoutWaitingForTheWindow()
    {
        var time = new FakeTimeProvider();
        using var device = new MemoryStorageDevice();
        var options = FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromHours(1), GroupCommitMaxBytes = 4096 };
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), options, time);
        store.CreateSegment(1, "orders", 0);

        var small = store.Append(1, Records(1, 0, 1));
        Assert.False(store.WaitForDurableAsync(1, small.LastOffset).IsCompleted);
        var big = store.Append(1, Records(1, 1, 1, extraBytes: 5000));

        await store.WaitForDurableAsync(1, big.LastOffset).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, (await ReadAllAsync(store, 1)).Count);
    }

    /// <summary>The flusher arms its window timer asynchronously, so advance in small steps until the work is done.</summary>
    internal static async Task AdvanceUntilAsync(FakeTimeProvider time, Task done)
    {
        for (var i = 0; i < 10_000 && !done.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(done, Task.Delay(1));
        }

        await done;
    }
}
