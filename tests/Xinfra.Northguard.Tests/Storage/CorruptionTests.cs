using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class CorruptionTests
{
    private const string Segment1 = "seg-0000000000000000001.ngs";

    [Fact]
    public async Task Read_BadCrcInSealedSegment_ThrowsNamingFileAndPosition_AndRefusesSegment()
    {
        var (device, index) = await CreateTwoSealedSegmentsAsync();
        var bytes = device.ReadAllBytes(Segment1);
        bytes[512 + 200] ^= 0x01; // inside the first batch
        device.WriteAllBytes(Segment1, bytes);

        await using var store = await OpenMemoryAsync(device, index);
        var error = await Assert.ThrowsAsync<CorruptDataException>(() => store.ReadAsync(1, 0, 100).AsTask());
        Assert.Equal(Segment1, error.File);
        Assert.Equal(512, error.Position);
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);

        var again = await Assert.ThrowsAsync<CorruptDataException>(() => store.ReadAsync(1, 0, 100).AsTask());
        Assert.Equal(512, again.Position);
        Assert.Equal(20, (await ReadAllAsync(store, 2)).Count);
    }

    [Fact]
    public async Task Open_WrongMagic_RefusesSegmentWithTypedError()
    {
        var (device, index) = await CreateTwoSealedSegmentsAsync();
        var bytes = device.ReadAllBytes(Segment1);
        bytes[0] = (byte)'X';
        device.WriteAllBytes(Segment1, bytes);

        await using var store = await OpenMemoryAsync(device, index);
        var error = await Assert.ThrowsAsync<CorruptDataException>(() => store.ReadAsync(1, 0, 100).AsTask());
        Assert.Equal(Segment1, error.File);
        Assert.Equal(0, error.Position);
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
        Assert.Throws<CorruptDataException>(() => store.Append(1, Records(1, 20, 1)));
        Assert.Equal(20, (await ReadAllAsync(store, 2)).Count);
    }

    [Fact]
    public async Task Open_TruncatedSealedSegment_RefusesSegmentWithTypedError()
    {
        var (device, index) = await CreateTwoSealedSegmentsAsync();
        var bytes = device.ReadAllBytes(Segment1);
        device.WriteAllBytes(Segment1, bytes.AsSpan(0, bytes.Length - 100));

        await using var store = await OpenMemoryAsync(device, index);
        var error = await Assert.ThrowsAsync<CorruptDataException>(() => store.ReadAsync(1, 0, 100).AsTask());
        Assert.Equal(Segment1, error.File);
        Assert.Equal(bytes.Length - 100, error.Position);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_GarbageAfterOpenSegmentData_IsCutAndNeverServed()
    {
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        await using (var store = await OpenMemoryAsync(device, index))
        {
            store.CreateSegment(1, "t", 0);
            await store.AppendAsync(1, Records(1, 0, 5));
        }

        var bytes = device.ReadAllBytes(Segment1).Concat(new byte[] { 0x4E, 0x47, 0x42, 0x31, 1, 2, 3, 4, 5, 6 }).ToArray();
        device.WriteAllBytes(Segment1, bytes);

        await using var reopened = await OpenMemoryAsync(device, index);
        Assert.Equal(5, (await ReadAllAsync(reopened, 1)).Count);
        Assert.Equal(bytes.Length - 10, device.ReadAllBytes(Segment1).Length);
        Assert.Equal(5, (await reopened.AppendAsync(1, Records(1, 5, 1))).BaseOffset);
    }

    [Fact]
    public async Task Open_SegmentWhoseCreationWasInterrupted_IsDiscardedAndCanBeCreatedAgain()
    {
        using var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        device.WriteAllBytes(Segment1, new byte[100]);

        await using var store = await OpenMemoryAsync(device, index);
        Assert.Empty(store.ListSegments());
        store.CreateSegment(1, "t", 0);
        Assert.Equal(0, (await store.AppendAsync(1, Records(1, 0, 1))).BaseOffset);
    }

    private static async Task<(MemoryStorageDevice Device, InMemorySparseIndex Index)> CreateTwoSealedSegmentsAsync()
    {
        var device = new MemoryStorageDevice();
        var index = new InMemorySparseIndex();
        await using var store = await OpenMemoryAsync(device, index);
        for (var s = 1; s <= 2; s++)
        {
            store.CreateSegment(s, "t", 0);
            await store.AppendAsync(s, Records(s, 0, 10));
            await store.AppendAsync(s, Records(s, 10, 10));
            await store.SealSegmentAsync(s);
        }

        return (device, index);
    }
}
