using System.Buffers.Binary;
using Xinfra.Northguard.Storage.Format;
using Xinfra.Northguard.Storage.Wal;

namespace Xinfra.Northguard.Tests.Storage;

public class Crc32CTests
{
    /// <summary>The textbook bit-at-a-time CRC32C (reflected polynomial 0x82F63B78), independent of the code tested.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Compute_KnownVector_MatchesTheStandardCheckValue()
    {
        // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4 lists the same polynomial).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(767)]
    [InlineData(768)]
    [InlineData(769)]
    [InlineData(12_287)]
    [InlineData(12_288)]
    [InlineData(12_288 + 768 + 5)]
    [InlineData(131_072 + 48)]
    public void Compute_AcrossInterleavedBlockBoundaries_MatchesReference(int length)
    {
        var data = RandomBytes(length, length);

        Assert.Equal(Reference(data), Crc32C.Compute(data));
    }

    [Fact]
    public void Compute_OneFlippedBitInAnyBlock_ChangesTheCrc()
    {
        var data = RandomBytes(3 * 4096 + 3 * 256 + 11, 5);
        uint original = Crc32C.Compute(data);
        foreach (int at in new[] { 0, 4095, 4096, 8191, 12_287, 12_288, 13_000, data.Length - 1 })
        {
            data[at] ^= 0x10;
            Assert.NotEqual(original, Crc32C.Compute(data));
            Assert.Equal(Reference(data), Crc32C.Compute(data));
            data[at] ^= 0x10;
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(24, 0)]
    [InlineData(0, 100)]
    [InlineData(36, 1_000)]
    [InlineData(13, 70_000)]
    public void Combine_TwoParts_EqualsTheCrcOfTheConcatenation(int lengthA, int lengthB)
    {
        var a = RandomBytes(lengthA, 1);
        var b = RandomBytes(lengthB, 2);

        uint combined = Crc32C.Combine(Crc32C.Compute(a), Crc32C.Compute(b), b.Length);

        Assert.Equal(Reference([.. a, .. b]), combined);
    }

    [Fact]
    public void SealData_EntryWithValidBatchCrc_EqualsTheFullPassSeal()
    {
        using var builder = new BatchBuilder();
        for (int i = 0; i < 50; i++)
        {
            builder.Add(BitConverter.GetBytes(i), RandomBytes(300, i), [], 1_000 + i, null);
        }

        builder.Complete(3, 9);
        var batch = builder.Encoded.ToArray();
        var combined = new byte[WalFormat.DataPrefixSize + batch.Length];
        WalFormat.WriteDataPrefix(combined, segmentId: 77, batch.Length);
        batch.CopyTo(combined.AsSpan(WalFormat.DataPrefixSize));
        var fullPass = combined.ToArray();

        WalFormat.SealData(combined);
        WalFormat.Seal(fullPass);

        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(fullPass.AsSpan(8)), BinaryPrimitives.ReadUInt32LittleEndian(combined.AsSpan(8)));
        Assert.True(WalFormat.TryReadEntry(combined, out byte type, out int length));
        Assert.Equal((WalFormat.DataEntry, combined.Length), (type, length));
    }
}
