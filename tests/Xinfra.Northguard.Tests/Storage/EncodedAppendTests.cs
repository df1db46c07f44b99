using System.Buffers.Binary;
using System.Text;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class EncodedAppendTests
{
    private static byte[] Encode(int count, int firstOffset = 0, string? reserved = null)
    {
        using var builder = new BatchBuilder();
        foreach (var record in Records(1, firstOffset, count))
        {
            builder.Add(record.Key.Span, record.Value.Span, record.Headers, record.Timestamp, reserved);
        }

        builder.Complete(7, 42);
        return builder.Encoded.ToArray();
    }

    [Fact]
    public async Task AppendEncoded_BuilderBatch_StoredWithSegmentOffsetsAndReadBack()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex());
        store.CreateSegment(1, "orders", baseOffset: 100);
        await store.AppendAsync(1, Records(1, 100, 2));

        var result = store.AppendEncoded(1, Encode(3, firstOffset: 102));
        await store.WaitForDurableAsync(1, result.LastOffset);

        Assert.Equal((102L, 104L), (result.BaseOffset, result.LastOffset));
        var all = await ReadAllAsync(store, 1, 100);
        Assert.Equal([100L, 101L, 102L, 103L, 104L], all.Select(r => r.Offset));
        all.ForEach(r => AssertIsRecord(1, r));
        Assert.Equal(1_002L, all[4].Record.Timestamp);
    }

    [Fact]
    public void BatchBuilder_ReservedHeader_IsLastHeaderOfFirstRecordOnly()
    {
        var batch = Encode(2, reserved: "ng.seq");
        var records = new List<StoredRecord>();

        Assert.True(BatchDecoder.TryDecode(batch, 0, long.MaxValue, records));
        Assert.Equal(["h1", "trace", "ng.seq"], records[0].Record.Headers.Select(h => h.Name));
        var value = records[0].Record.Headers[2].Value.Span;
        Assert.Equal((7UL, 42L), (BinaryPrimitives.ReadUInt64LittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value[8..])));
        Assert.Equal(2, records[1].Record.Headers.Count);
        Assert.Null(BatchWalker.TryWalk(batch, out var shape));
        Assert.Equal(2, shape.RecordCount);
    }

    [Fact]
    public async Task AppendEncoded_CorruptOrTruncated_ThrowsInvalidBatchAndStoresNothing()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex());
        store.CreateSegment(1, "orders", baseOffset: 0);
        var flipped = Encode(2);
        flipped[^1] ^= 0xFF;
        var truncated = Encode(2)[..^3];
        var lyingCount = Encode(2);
        BinaryPrimitives.WriteInt32LittleEndian(lyingCount.AsSpan(24), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(lyingCount.AsSpan(8), Crc32C.Compute(lyingCount.AsSpan(BatchHeader.CrcStart)));

        Assert.Contains("CRC", Assert.Throws<InvalidBatchException>(() => store.AppendEncoded(1, flipped)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidBatchException>(() => store.AppendEncoded(1, truncated));
        Assert.Contains("truncated", Assert.Throws<InvalidBatchException>(() => store.AppendEncoded(1, lyingCount)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidBatchException>(() => store.AppendEncoded(1, Encoding.UTF8.GetBytes("not a batch")));
        Assert.Equal(0, store.GetSegment(1)!.NextOffset);
        var ok = store.AppendEncoded(1, Encode(1));
        Assert.Equal(0, ok.BaseOffset);
    }

    [Fact]
    public void Crc32CPatch8_MatchesFullRecomputeForAnyPositionAndLength()
    {
        var random = new Random(5);
        foreach (int length in new[] { 8, 9, 24, 48, 100, 4096, 131_072 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var data = new byte[length];
                random.NextBytes(data);
                int at = random.Next(0, length - 7);
                uint before = Crc32C.Compute(data);
                ulong old = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(at));
                ulong changed = (ulong)random.NextInt64();
                BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(at), changed);

                Assert.Equal(Crc32C.Compute(data), Crc32C.Patch8(before, old, changed, length - at - 8));
            }
        }
    }

    [Fact]
    public async Task AppendEncoded_StoredBatchCrcMatchesItsStampedContent()
    {
        using var device = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(device, new InMemorySparseIndex());
        store.CreateSegment(1, "orders", baseOffset: 1_000_000_007);

        var result = store.AppendEncoded(1, Encode(4));
        await store.WaitForDurableAsync(1, result.LastOffset);
        await store.SealSegmentAsync(1);

        int found = 0;
        foreach (var name in device.ListFiles())
        {
            using var file = device.Open(name, create: false);
            var bytes = new byte[file.Length];
            file.Read(0, bytes);
            int at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(1_000_000_007L)) - 16;
            if (at >= 0 && BatchHeader.TryRead(bytes.AsSpan(at), out var header) && header.BaseOffset == 1_000_000_007L)
            {
                Assert.True(BatchHeader.CrcMatches(bytes.AsSpan(at, header.Length)));
                found++;
            }
        }

        Assert.True(found > 0);
    }
}
