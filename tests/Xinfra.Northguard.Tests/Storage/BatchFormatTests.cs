using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Tests.Storage;

public class BatchFormatTests
{
    [Fact]
    public void EncodeDecode_RecordsWithHeaders_RoundTrip()
    {
        var records = StorageTestKit.Records(7, 100, 3, extraBytes: 10);
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, 100, records);

        Assert.True(BatchHeader.TryRead(batch, out var header));
        Assert.Equal(100, header.BaseOffset);
        Assert.Equal(3, header.RecordCount);
        Assert.Equal(batch.Length, header.Length);
        Assert.True(BatchHeader.CrcMatches(batch));
        var decoded = new List<StoredRecord>();
        Assert.True(BatchDecoder.TryDecode(batch, 101, long.MaxValue, decoded));
        Assert.Equal([101L, 102L], decoded.Select(r => r.Offset));
        decoded.ForEach(r => StorageTestKit.AssertIsRecord(7, r));
        Assert.Equal(1_001, decoded[0].Record.Timestamp);
    }

    [Fact]
    public void CrcMatches_FlippedPayloadByte_ReturnsFalse()
    {
        var records = StorageTestKit.Records(1, 0, 2);
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, 0, records);
        batch[^3] ^= 0x40;

        Assert.False(BatchHeader.CrcMatches(batch));
    }

    [Fact]
    public void TryRead_WrongMagic_ReturnsFalse()
    {
        var records = StorageTestKit.Records(1, 0, 1);
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, 0, records);
        batch[0] = 0;

        Assert.False(BatchHeader.TryRead(batch, out _));
    }

    [Fact]
    public void TryDecode_LengthFieldPastEnd_ReturnsFalse()
    {
        var records = StorageTestKit.Records(1, 0, 1);
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, 0, records);
        batch[BatchHeader.Size + 8] = 0xFF; // key length of the first record

        Assert.False(BatchDecoder.TryDecode(batch, 0, long.MaxValue, []));
    }

    [Fact]
    public void Measure_HeaderNameTooLong_Throws()
    {
        var record = new LogRecord(default, default, [new RecordHeader(new string('n', 70_000), default)], 0);

        Assert.Throws<ArgumentException>(() => BatchEncoder.Measure([record]));
    }
}
