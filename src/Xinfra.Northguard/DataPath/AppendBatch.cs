using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// One producer append as the leader stores and forwards it: a batch in the store's format (base offset 0, CRC valid,
/// the first record's last header being <see cref="ProducerSequenceHeader"/>), checked once at the leader.
/// </summary>
/// <param name="Bytes">The encoded batch; the same bytes go to the leader's store and to every follower.</param>
/// <param name="RecordCount">Records in the batch.</param>
/// <param name="Pooled">The pooled array behind <paramref name="Bytes"/> when the broker parsed the append into one
/// (<see cref="Wire.AppendParser"/>); each follower write holds a reference until the bytes are on its stream.</param>
internal readonly record struct AppendBatch(ByteString Bytes, int RecordCount, Wire.PooledBatch? Pooled = null)
{
    private static readonly byte[] s_sequenceHeaderName = Encoding.UTF8.GetBytes(ProducerSequenceHeader.Name);

    /// <summary>
    /// Takes the producer's encoded batch (checked without decoding records: structure, CRC, record sizes, the
    /// sequence header) or encodes the records of an append sent as messages; a bad append is INVALID_ARGUMENT.
    /// </summary>
    public static AppendBatch FromWire(ProduceAppend append, ulong producerId, long maxRecordBytes)
    {
        if (!append.Batch.IsEmpty)
        {
            if (append.Records.Count > 0)
            {
                throw Refuse($"Append {append.Sequence} has both records and an encoded batch.");
            }

            return FromEncoded(append, producerId, maxRecordBytes);
        }

        if (append.Records.Count == 0)
        {
            throw Refuse($"Append {append.Sequence} has no records.");
        }

        foreach (var record in append.Records)
        {
            CheckSize(RecordCodec.SizeOf(record), append.Sequence, maxRecordBytes);
        }

        append.Records[0].Headers.Add(ProducerSequenceHeader.Create(producerId, append.Sequence));
        var records = new LogRecord[append.Records.Count];
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = RecordCodec.ToLog(append.Records[i]);
        }

        var bytes = new byte[BatchEncoder.Measure(records)];
        BatchEncoder.Write(bytes, 0, records);
        return new AppendBatch(UnsafeByteOperations.UnsafeWrap(bytes), records.Length);
    }

    private static AppendBatch FromEncoded(ProduceAppend append, ulong producerId, long maxRecordBytes)
    {
        var span = append.Batch.Span;
        var error = BatchWalker.TryWalk(span, out var shape);
        if (error is not null)
        {
            throw Refuse($"Append {append.Sequence}: {error}");
        }

        // The sequence header: the first record's last header, named ng.seq, 16 bytes (producer id, sequence).
        int at = shape.FirstRecordLastHeader;
        int nameLength = at < 0 ? 0 : BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        if (at < 0 || !span.Slice(at + 2, nameLength).SequenceEqual(s_sequenceHeaderName)
            || BinaryPrimitives.ReadInt32LittleEndian(span[(at + 2 + nameLength)..]) != 16
            || BinaryPrimitives.ReadUInt64LittleEndian(span[(at + 6 + nameLength)..]) != producerId
            || BinaryPrimitives.ReadInt64LittleEndian(span[(at + 14 + nameLength)..]) != append.Sequence)
        {
            throw Refuse($"Append {append.Sequence}: the first record's last header must be {ProducerSequenceHeader.Name} with this stream's producer id and the append's sequence.");
        }

        CheckSize(Math.Max(shape.FirstRecord - nameLength - 16, shape.LargestOtherRecord), append.Sequence, maxRecordBytes);
        return new AppendBatch(append.Batch, shape.RecordCount, append.PooledBatch);
    }

    private static void CheckSize(long size, long sequence, long maxRecordBytes)
    {
        if (size > maxRecordBytes)
        {
            throw Refuse($"A record of {size} bytes in append {sequence} exceeds the limit of {maxRecordBytes} bytes.");
        }
    }

    private static RpcException Refuse(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
