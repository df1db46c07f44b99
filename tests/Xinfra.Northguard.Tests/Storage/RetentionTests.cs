using Microsoft.Extensions.Time.Testing;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class RetentionTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ApplyRetention_MaxAge_DeletesOldSealedSegmentsOnly()
    {
        var time = new FakeTimeProvider(Start);
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), Immediate, time);
        var now = Start.ToUnixTimeMilliseconds();
        await CreateAsync(store, 1, "t", now - TimeSpan.FromHours(30).Ticks / TimeSpan.TicksPerMillisecond, seal: true);
        await CreateAsync(store, 2, "t", now - 1000, seal: true);
        await CreateAsync(store, 3, "t", now - TimeSpan.FromHours(30).Ticks / TimeSpan.TicksPerMillisecond, seal: false);
        await CreateAsync(store, 4, "other", now - TimeSpan.FromHours(30).Ticks / TimeSpan.TicksPerMillisecond, seal: true);

        var deleted = store.ApplyRetention("t", new RetentionPolicy(TimeSpan.FromDays(1), null));

        Assert.Equal([1L], deleted);
        Assert.Null(store.GetSegment(1));
        Assert.NotNull(store.GetSegment(2));
        Assert.NotNull(store.GetSegment(3));
        Assert.NotNull(store.GetSegment(4));
        Assert.DoesNotContain("seg-0000000000000000001.ngs", device.ListFiles());
        var error = await Assert.ThrowsAsync<OffsetOutOfRangeException>(() => store.ReadAsync(1, 0, 100).AsTask());
        Assert.Equal(0, error.Requested);
        Assert.Contains("deleted by retention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyRetention_MaxBytes_DeletesOldestSealedUntilUnderBudget()
    {
        var time = new FakeTimeProvider(Start);
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), Immediate, time);
        for (var s = 1; s <= 4; s++)
        {
            await CreateAsync(store, s, "t", Start.ToUnixTimeMilliseconds(), seal: s < 4);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var size = store.GetSegment(1)!.SizeBytes;
        var total = Enumerable.Range(1, 4).Sum(s => store.GetSegment(s)!.SizeBytes);

        var deleted = store.ApplyRetention("t", new RetentionPolicy(null, total - size - 1));

        Assert.Equal([1L, 2L], deleted);
        Assert.Equal([3L, 4L], store.ListSegments());
        Assert.Empty(store.ApplyRetention("t", new RetentionPolicy(null, total)));
    }

    [Fact]
    public async Task Reopen_AfterRetention_DeletedSegmentStaysGone()
    {
        var time = new FakeTimeProvider(Start);
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        await using (var store = await OpenMemoryAsync(device, index, Immediate, time))
        {
            await CreateAsync(store, 1, "t", 0, seal: true);
            store.ApplyRetention("t", new RetentionPolicy(TimeSpan.FromDays(1), null));
        }

        await using var reopened = await OpenMemoryAsync(device, index, Immediate, time);
        Assert.Empty(reopened.ListSegments());
        Assert.Null(index.FloorByOffset(1, 0));
    }

    private static async Task CreateAsync(FpsStore store, long id, string topic, long timestamp, bool seal)
    {
        store.CreateSegment(id, topic, 0);
        await store.AppendAsync(id, Records(id, 0, 10, extraBytes: 50, timestamp: timestamp - 10));
        if (seal)
        {
            await store.SealSegmentAsync(id);
        }
    }
}
