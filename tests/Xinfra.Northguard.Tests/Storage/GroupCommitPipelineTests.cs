using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

/// <summary>
/// The group commit runs as two stages: the WAL stage fsyncs group N+1 while the apply stage writes group N to its
/// segments. Waiters are released in WAL order and only once their group is applied; readers never see past the
/// applied end; a failed fsync or apply fails the store; a crash between a group's fsync and its apply loses nothing.
/// </summary>
public class GroupCommitPipelineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Blocks the next segment write (the apply stage) until released; optionally fails WAL fsyncs.</summary>
    private sealed class ApplyGate
    {
        private int _holdNext;
        private int _failWalFlush;
        private int _failHeldApply;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource WalFlushFailed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HoldNextApply() => Volatile.Write(ref _holdNext, 1);

        public void FailWalFlushes() => Volatile.Write(ref _failWalFlush, 1);

        public void FailTheHeldApply() => Volatile.Write(ref _failHeldApply, 1);

        public bool Intercept(string name, StorageOperation operation)
        {
            if (operation == StorageOperation.Write && name.StartsWith("seg-", StringComparison.Ordinal) && Interlocked.Exchange(ref _holdNext, 0) == 1)
            {
                Held.TrySetResult();
                Release.Task.Wait();
                return Volatile.Read(ref _failHeldApply) == 1;
            }

            if (operation == StorageOperation.Flush && name.StartsWith("wal-", StringComparison.Ordinal) && Volatile.Read(ref _failWalFlush) == 1)
            {
                WalFlushFailed.TrySetResult();
                return true;
            }

            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task LaterGroups_AreFsyncedWhileAnEarlierIsApplied_ReleasedInOrder_AndUnreadableUntilApplied()
    {
        using var device = new MemoryStorageDevice();
        var gate = new ApplyGate();
        device.FailWhen = gate.Intercept;
        var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), Immediate);
        try
        {
            store.CreateSegment(1, "t", 0);
            gate.HoldNextApply();
            var first = store.WaitForDurableAsync(1, store.Append(1, Records(1, 0, 3)).LastOffset).AsTask();
            await gate.Held.Task.WaitAsync(Timeout);

            var flushesBefore = device.FlushCount;
            var second = store.WaitForDurableAsync(1, store.Append(1, Records(1, 3, 2)).LastOffset).AsTask();
            var firstDoneWhenSecondDone = second.ContinueWith(_ => first.IsCompletedSuccessfully, TaskScheduler.Default);

            // The WAL stage fsyncs the second group although the first one is still being applied...
            await WaitUntilAsync(() => device.FlushCount > flushesBefore);

            // ...but nobody is released and nothing is readable before the first group is applied.
            Assert.False(first.IsCompleted);
            Assert.False(second.IsCompleted);
            Assert.Empty(await ReadAllAsync(store, 1));
            Assert.Equal(0, store.GetSegment(1)!.NextOffset);

            gate.Release.SetResult();
            await Task.WhenAll(first, second).WaitAsync(Timeout);
            Assert.True(await firstDoneWhenSecondDone);
            var records = await ReadAllAsync(store, 1);
            Assert.Equal([0, 1, 2, 3, 4], records.Select(r => r.Offset));
            records.ForEach(r => AssertIsRecord(1, r));
        }
        finally
        {
            gate.Release.TrySetResult();
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task FsyncFailureInTheWalStage_WhileTheApplyStageHoldsAnEarlierGroup_AcksTheEarlierFailsTheLaterAndTheStore()
    {
        using var device = new MemoryStorageDevice();
        var gate = new ApplyGate();
        device.FailWhen = gate.Intercept;
        var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), Immediate);
        try
        {
            store.CreateSegment(1, "t", 0);
            gate.HoldNextApply();
            var first = store.WaitForDurableAsync(1, store.Append(1, Records(1, 0, 3)).LastOffset).AsTask();
            await gate.Held.Task.WaitAsync(Timeout);

            gate.FailWalFlushes();
            var second = store.WaitForDurableAsync(1, store.Append(1, Records(1, 3, 2)).LastOffset).AsTask();
            await gate.WalFlushFailed.Task.WaitAsync(Timeout);

            // The failed group waits for its turn: it is not failed before the earlier group is released.
            Assert.False(first.IsCompleted);
            Assert.False(second.IsCompleted);
            var flushes = device.FlushCount;

            gate.Release.SetResult();

            // The first group was fsynced before the failure: it is durable, applied and acknowledged.
            await first.WaitAsync(Timeout);
            await Assert.ThrowsAsync<StorageFailedException>(() => second.WaitAsync(Timeout));
            Assert.Throws<StorageFailedException>(() => store.Append(1, Records(1, 5, 1)));
            Assert.Equal([0, 1, 2], (await ReadAllAsync(store, 1)).Select(r => r.Offset));

            // The failed fsync is never retried.
            Assert.Equal(flushes, device.FlushCount);
        }
        finally
        {
            gate.Release.TrySetResult();
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task FailedApply_FailsItsGroupAndTheLaterFsyncedGroups_AndTheStore()
    {
        using var device = new MemoryStorageDevice();
        var gate = new ApplyGate();
        device.FailWhen = gate.Intercept;
        var store = await OpenMemoryAsync(device, new InMemorySparseIndex(), Immediate);
        try
        {
            store.CreateSegment(1, "t", 0);
            await store.AppendAsync(1, Records(1, 0, 1));
            gate.HoldNextApply();
            gate.FailTheHeldApply();
            var first = store.WaitForDurableAsync(1, store.Append(1, Records(1, 1, 3)).LastOffset).AsTask();
            await gate.Held.Task.WaitAsync(Timeout);

            var flushesBefore = device.FlushCount;
            var second = store.WaitForDurableAsync(1, store.Append(1, Records(1, 4, 2)).LastOffset).AsTask();
            await WaitUntilAsync(() => device.FlushCount > flushesBefore);
            gate.Release.SetResult();

            // The second group is in the WAL, but its batches would follow a gap in the segment: it fails too.
            await Assert.ThrowsAsync<StorageFailedException>(() => first.WaitAsync(Timeout));
            await Assert.ThrowsAsync<StorageFailedException>(() => second.WaitAsync(Timeout));
            Assert.Throws<StorageFailedException>(() => store.Append(1, Records(1, 6, 1)));
            Assert.Equal([0], (await ReadAllAsync(store, 1)).Select(r => r.Offset));
        }
        finally
        {
            gate.Release.TrySetResult();
            await store.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task CrashBetweenWalFsyncAndApply_RecoversTheGroupFromTheWal(int seed)
    {
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        var gate = new ApplyGate();
        device.FailWhen = gate.Intercept;
        var store = await OpenMemoryAsync(device, index, Immediate);
        try
        {
            store.CreateSegment(1, "t", 0);
            await store.AppendAsync(1, Records(1, 0, 2));
            gate.HoldNextApply();
            var held = store.Append(1, Records(1, 2, 3));
            await gate.Held.Task.WaitAsync(Timeout);

            // The group is fsynced in the WAL but not in its segment file: the power goes now.
            Assert.Equal(2, store.GetSegment(1)!.NextOffset);
            device.Crash(new Random(seed));
            Assert.Equal(4, held.LastOffset);
        }
        finally
        {
            device.FailWhen = null;
            gate.Release.TrySetResult();
            await store.DisposeAsync();
        }

        await using var reopened = await OpenMemoryAsync(device, index, Immediate);
        var records = await ReadAllAsync(reopened, 1);
        Assert.Equal([0, 1, 2, 3, 4], records.Select(r => r.Offset));
        records.ForEach(r => AssertIsRecord(1, r));
    }
}
