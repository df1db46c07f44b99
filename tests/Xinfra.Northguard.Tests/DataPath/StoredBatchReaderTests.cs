using System.Text;
using Google.Protobuf;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class StoredBatchReaderTests
{
    [Fact]
    public void Read_ValidBatch_SkipsOffsetsBelowTheOneAskedForAndStripsTheSequenceHeader()
    {
        var batch = Encode(100, 4);
        var output = new List<NorthguardConsumedRecord>();

        var (records, bytes) = StoredBatchReader.Read("t", 9, ByteString.CopyFrom(batch), 102, output);

        Assert.Equal(4, records);
        Assert.Equal(batch.Length, bytes);
        Assert.Equal([102L, 103], output.Select(r => r.Offset));
        Assert.All(output, r => Assert.Equal(9UL, r.RangeId));
        Assert.Equal("v2", Encoding.UTF8.GetString(output[0].Record.Value.Span));
        Assert.Equal(12, output[0].Record.Timestamp);
        Assert.Equal(["trace"], output[0].Record.Headers!.Select(h => h.Name));
    }

    [Fact]
    public void Read_FirstRecordCarriesTheSequenceHeader_ItIsStrippedAndOtherHeadersKept()
    {
        var output = new List<NorthguardConsumedRecord>();

        StoredBatchReader.Read("t", 1, ByteString.CopyFrom(Encode(0, 2)), 0, output);

        Assert.Equal(["trace"], output[0].Record.Headers!.Select(h => h.Name));
        Assert.Equal("t0", Encoding.UTF8.GetString(output[0].Record.Headers![0].Value.Span));
    }

    [Fact]
    public void Read_CorruptedByte_ThrowsConsumeExceptionNamingTheCrc()
    {
        var batch = Encode(0, 3);
        batch[^2] ^= 0x5A;

        var e = Assert.Throws<ConsumeException>(() => StoredBatchReader.Read("orders", 1, ByteString.CopyFrom(batch), 0, []));

        Assert.Contains("CRC32C", e.Message, StringComparison.Ordinal);
        Assert.Equal("orders", e.Topic);
    }

    [Fact]
    public void Read_TruncatedBatch_ThrowsConsumeException()
    {
        var batch = Encode(0, 3);

        Assert.Throws<ConsumeException>(() => StoredBatchReader.Read("orders", 1, ByteString.CopyFrom(batch, 0, batch.Length - 1), 0, []));
    }

    private static byte[] Encode(long baseOffset, int count)
    {
        var records = Enumerable.Range(0, count).Select(i =>
        {
            var trace = new RecordHeader("trace", Encoding.UTF8.GetBytes($"t{i}"));
            RecordHeader[] headers = i == 0 ? [trace, new RecordHeader(ProducerSequenceHeader.Name, ProducerSequenceHeader.Encode(5, 7))] : [trace];
            return new LogRecord(Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"), headers, 10 + i);
        }).ToArray();
        var batch = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(batch, baseOffset, records);
        return batch;
    }
}
