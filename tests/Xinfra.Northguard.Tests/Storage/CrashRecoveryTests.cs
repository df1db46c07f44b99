using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class CrashRecoveryTests
{
    private const int Segments = 3;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    /// <summary>
    /// Random appends (some awaited as durable, some not), seals and WAL checkpoints, then a power loss at a random
    /// point that keeps a random, possibly torn, prefix of every unsynced write. After recovery every segment must hold
    /// exactly a prefix of what was appended (never garbage, never a gap) that includes every acknowledged record.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Crash_AtRandomPoint_KeepsAcknowledgedPrefixAndNothingElse(int seed)
    {
        var random = new Random(seed);
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        var options = Immediate with { WalCheckpointBytes = 2048 + random.Next(8192), IndexIntervalBytes = 256 };
        var acked = new long[Segments + 1];
        var appended = new long[Segments + 1];
        var sealedSegments = new HashSet<long>();
        Array.Fill(acked, -1);

        for (var round = 0; round < 3; round++)
        {
            var store = await OpenMemoryAsync(device, index, options);
            try
            {
                for (var s = 1; s <= Segments; s++)
                {
                    if (store.GetSegment(s) is null)
                    {
                        store.CreateSegment(s, "t", 0);
                    }
                }

                await VerifyAsync(store, acked, appended, sealedSegments);
                Array.Copy(NextOffsets(store), appended, Segments + 1);
                var steps = random.Next(5, 60);
                var pending = new List<(long Segment, long Offset, Task Wait)>();
                for (var step = 0; step < steps; step++)
                {
                    var s = random.Next(1, Segments + 1);
                    if (sealedSegments.Contains(s))
                    {
                        continue;
                    }

                    if (random.Next(30) == 0)
                    {
                        await store.SealSegmentAsync(s);
                        sealedSegments.Add(s);
                        acked[s] = appended[s] - 1;
                        continue;
                    }

                    var count = random.Next(1, 5);
                    var result = store.Append(s, Records(s, appended[s], count, extraBytes: random.Next(300)));
                    appended[s] = result.LastOffset + 1;
                    var wait = store.WaitForDurableAsync(s, result.LastOffset).AsTask();
                    if (random.Next(3) == 0)
                    {
                        await wait;
                        acked[s] = Math.Max(acked[s], result.LastOffset);
                    }
                    else
                    {
                        pending.Add((s, result.LastOffset, wait));
                    }
                }

                foreach (var (s, offset, wait) in pending)
                {
                    if (wait.IsCompletedSuccessfully)
                    {
                        acked[s] = Math.Max(acked[s], offset);
                    }
                }

                device.Crash(random);
            }
            finally
            {
                await store.DisposeAsync();
            }
        }

        await using var final = await OpenMemoryAsync(device, index, options);
        await VerifyAsync(final, acked, appended, sealedSegments);
    }

    private static long[] NextOffsets(FpsStore store)
    {
        var next = new long[Segments + 1];
        for (var s = 1; s <= Segments; s++)
        {
            next[s] = store.GetSegment(s)!.NextOffset;
        }

        return next;
    }

    private static async Task VerifyAsync(FpsStore store, long[] acked, long[] appended, HashSet<long> sealedSegments)
    {
        for (var s = 1; s <= Segments; s++)
        {
            var info = store.GetSegment(s);
            if (info is null)
            {
                continue;
            }

            Assert.Equal(sealedSegments.Contains(s), info.IsSealed);
            var records = await ReadAllAsync(store, s);
            Assert.True(records.Count > acked[s], $"segment {s}: {records.Count} records survived but offset {acked[s]} was acknowledged");
            Assert.True(records.Count <= Math.Max(appended[s], acked[s] + 1), $"segment {s}: {records.Count} records but only {appended[s]} were appended");
            for (var i = 0; i < records.Count; i++)
            {
                Assert.Equal(i, records[i].Offset);
                AssertIsRecord(s, records[i]);
            }

            Assert.Equal(records.Count, info.NextOffset);
        }
    }
}
