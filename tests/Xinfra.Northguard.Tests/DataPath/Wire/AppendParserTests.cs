using System.Buffers;
using Google.Protobuf;
using Xinfra.Northguard.DataPath.Wire;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.DataPath.Wire;

public sealed class AppendParserTests
{
    private static byte[] Bytes(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray();

    /// <summary>The payload split into segments of <paramref name="chunk"/> bytes, as Kestrel's pipe hands it over.</summary>
    private static ReadOnlySequence<byte> Chunked(byte[] payload, int chunk)
    {
        Segment? first = null;
        Segment? last = null;
        for (int at = 0; at < payload.Length; at += chunk)
        {
            var memory = payload.AsMemory(at, Math.Min(chunk, payload.Length - at));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(7)]
    public void TryParseAppend_ProduceAppendWithBatch_SameFieldsAsTheGeneratedParser(int chunk)
    {
        var batch = Bytes(5000, 3);
        var request = new ProduceRequest { Append = new ProduceAppend { StreamId = 300, Sequence = -2, Batch = ByteString.CopyFrom(batch) } };

        bool parsed = AppendParser.TryParseAppend(Chunked(request.ToByteArray(), chunk), batchField: 4, secondField: 2, out ulong streamId, out ulong sequence, out var pooled);

        Assert.True(parsed);
        Assert.Equal((300UL, -2L), (streamId, (long)sequence));
        Assert.Equal(batch, pooled!.Memory.ToArray());
        pooled.Release();
    }

    [Fact]
    public void TryParseAppend_ReplicateAppendWithBatch_ReadsBaseOffsetAndBatch()
    {
        var batch = Bytes(300, 9);
        var request = new ReplicateRequest { Append = new ReplicateAppend { BaseOffset = 1L << 40, Batch = ByteString.CopyFrom(batch) } };

        bool parsed = AppendParser.TryParseAppend(Chunked(request.ToByteArray(), 64), batchField: 3, secondField: 0, out ulong baseOffset, out _, out var pooled);

        Assert.True(parsed);
        Assert.Equal(1L << 40, (long)baseOffset);
        Assert.Equal(batch, pooled!.Memory.ToArray());
    }

    public static TheoryData<string> OtherShapes => new() { "open", "records", "unknown-field", "no-batch", "seal", "append-twice" };

    [Theory]
    [MemberData(nameof(OtherShapes))]
    public void TryParseAppend_AnyOtherShape_LeftToTheGeneratedParser(string shape)
    {
        byte[] payload = shape switch
        {
            "open" => new ProduceRequest { Open = new ProduceOpen { Topic = "t", ProducerId = 1 } }.ToByteArray(),
            "records" => new ProduceRequest { Append = new ProduceAppend { StreamId = 1, Records = { new Protocol.Record { Value = ByteString.CopyFromUtf8("v") } } } }.ToByteArray(),
            "no-batch" => new ProduceRequest { Append = new ProduceAppend { StreamId = 1, Sequence = 2 } }.ToByteArray(),
            "seal" => new ReplicateRequest { Seal = true }.ToByteArray(),
            "unknown-field" => WrapAppend([.. new ProduceAppend { StreamId = 1, Batch = ByteString.CopyFrom(Bytes(10, 1)) }.ToByteArray(), 0x48, 0x01]),
            _ => [.. new ProduceRequest { Append = new ProduceAppend { StreamId = 1, Batch = ByteString.CopyFrom(Bytes(10, 1)) } }.ToByteArray(),
                .. new ProduceRequest { Append = new ProduceAppend { Sequence = 4 } }.ToByteArray()],
        };

        bool parsed = AppendParser.TryParseAppend(new ReadOnlySequence<byte>(payload), batchField: 4, secondField: 2, out _, out _, out var pooled);

        Assert.False(parsed);
        Assert.Null(pooled);
    }

    /// <summary>Field 2 (the append) holding <paramref name="append"/>, which is shorter than 128 bytes.</summary>
    private static byte[] WrapAppend(byte[] append) => [0x12, (byte)append.Length, .. append];

    [Fact]
    public void Release_MoreOftenThanReferenced_Throws()
    {
        var pooled = PooledBatch.Rent(10);
        pooled.AddReference();
        pooled.Release();
        pooled.Release();

        Assert.Throws<InvalidOperationException>(pooled.Release);
        Assert.Throws<ObjectDisposedException>(() => pooled.Memory);
    }
}
