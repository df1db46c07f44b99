using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

/// <summary>
/// The checkpoint rolls the WAL on the flusher and fsyncs segments / deletes old WAL files in the background: group
/// commits go on meanwhile, and a power loss at any step of it keeps every acknowledged record exactly once.
/// </summary>
public class BackgroundCheckpointTests
{
    private const int SegmentCount = 2;
    private static readonly FpsStoreOptions SmallWal = Immediate with { WalCheckpointBytes = 16 * 1024, IndexIntervalBytes = 512 };

    public static TheoryData<int, int> StepsAndSeeds()
    {
        var data = new TheoryData<int, int>();
        foreach (var step in Enum.GetValues<CheckpointStep>())
        {
            for (var seed = 1; seed <= 4; seed++)
            {
                data.Add((int)step, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StepsAndSeeds))]
    public async Task Crash_DuringBackgroundCheckpoint_KeepsEveryAckedRecordOnce(int stepNumber, int seed)
    {
        var step = (CheckpointStep)stepNumber;
        var random = new Random(seed);
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        var acked = new long[SegmentCount + 1];
        var next = new long[SegmentCount + 1];
        Array.Fill(acked, -1);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var crashed = 0;

        var store = await OpenMemoryAsync(device, index, SmallWal);
        for (var s = 1; s <= SegmentCount; s++)
        {
            store.CreateSegment(s, "t", 0);
        }

        store.CheckpointHook = at =>
        {
            if (at == step && reached.TrySetResult())
            {
                release.Task.Wait();
                if (Volatile.Read(ref crashed) == 1)
                {
                    throw new IOException("The process died in the middle of the checkpoint.");
                }
            }
        };

        async Task AppendAckedAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var s = 1 + (i % SegmentCount);
                var result = await store.AppendAsync(s, Records(s, next[s], 1 + random.Next(3), extraBytes: random.Next(400)));
                next[s] = result.LastOffset + 1;
                acked[s] = result.LastOffset;
            }
        }

        for (var round = 0; round < 500 && !reached.Task.IsCompleted; round++)
        {
            await AppendAckedAsync(SegmentCount);
        }

        try
        {
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The checkpoint is paused at the step: group commits must still be acknowledged meanwhile.
            await AppendAckedAsync(20).WaitAsync(TimeSpan.FromSeconds(30));
            var unacked = store.Append(1, Records(1, next[1], 2));
            next[1] = unacked.LastOffset + 1;
            Volatile.Write(ref crashed, 1);
            device.Crash(random);
        }
        finally
        {
            release.TrySetResult();
            await store.DisposeAsync();
        }

        await using var reopened = await OpenMemoryAsync(device, index, SmallWal);
        for (var s = 1; s <= SegmentCount; s++)
        {
            var records = await ReadAllAsync(reopened, s);
            Assert.InRange(records.Count, acked[s] + 1, next[s]);
            for (var i = 0; i < records.Count; i++)
            {
                Assert.Equal(i, records[i].Offset);
                AssertIsRecord(s, records[i]);
            }
        }
    }

    [Fact]
    public async Task Checkpoint_Completes_LeavesOnlyTheCurrentAndNextWalFiles()
    {
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inspected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var store = await OpenMemoryAsync(device, index, SmallWal);
        store.CreateSegment(1, "t", 0);
        store.CheckpointHook = at =>
        {
            // Hold the checkpoint open while the test looks: no further roll can start meanwhile.
            if (at == CheckpointStep.WalDeleted && done.TrySetResult())
            {
                inspected.Task.Wait();
            }
        };

        long offset = 0;
        for (var i = 0; i < 500 && !done.Task.IsCompleted; i++)
        {
            offset = (await store.AppendAsync(1, Records(1, offset, 2, extraBytes: 300))).LastOffset + 1;
        }

        try
        {
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var wal = device.ListFiles().Where(n => n.StartsWith("wal-", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, wal.Count);
            Assert.Empty(device.ReadAllBytes(wal[1]));
        }
        finally
        {
            inspected.TrySetResult();
        }

        Assert.Equal(offset, (await ReadAllAsync(store, 1)).Count);
    }

    [Theory]
    [MemberData(nameof(StepsAndSeeds))]
    public async Task Crash_DuringInlineCheckpointInManualMode_KeepsEveryAckedRecordOnce(int stepNumber, int seed)
    {
        var step = (CheckpointStep)stepNumber;
        var random = new Random(seed);
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        var options = SmallWal with { ManualFlush = true };
        var store = await OpenMemoryAsync(device, index, options);
        store.CreateSegment(1, "t", 0);
        var crashedAt = -1L;
        store.CheckpointHook = at =>
        {
            if (at == step && crashedAt < 0)
            {
                crashedAt = 0;
                device.Crash(random);
                throw new IOException("The process died in the middle of the checkpoint.");
            }
        };

        long next = 0;
        long acked = -1;
        for (var i = 0; i < 500 && crashedAt < 0; i++)
        {
            var result = store.Append(1, Records(1, next, 1 + random.Next(3), extraBytes: random.Next(400)));
            next = result.LastOffset + 1;
            store.FlushNow();
            await store.WaitForDurableAsync(1, result.LastOffset);
            acked = result.LastOffset;
        }

        Assert.Equal(0, crashedAt);
        await store.DisposeAsync();
        await using var reopened = await OpenMemoryAsync(device, index, options);
        var records = await ReadAllAsync(reopened, 1);
        Assert.InRange(records.Count, acked + 1, next);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(i, records[i].Offset);
            AssertIsRecord(1, records[i]);
        }
    }
}
