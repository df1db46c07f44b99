using Google.Protobuf;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>A record waiting for its ack, with the wire form it is sent in.</summary>
/// <param name="Wire">The record on the wire.</param>
/// <param name="Completion">Completed with the receipt or the error.</param>
internal sealed record PendingRecord(Record Wire, TaskCompletionSource<NorthguardReceipt> Completion)
{
    public static PendingRecord Create(in NorthguardRecord record, long timestamp)
    {
        var wire = new Record
        {
            Key = ByteString.CopyFrom(record.Key.Span),
            Value = ByteString.CopyFrom(record.Value.Span),
            Timestamp = record.Timestamp != 0 ? record.Timestamp : timestamp,
        };
        if (record.Headers is { } headers)
        {
            foreach (var header in headers)
            {
                wire.Headers.Add(new Header { Name = header.Name, Value = ByteString.CopyFrom(header.Value.Span) });
            }
        }

        return new PendingRecord(wire, new TaskCompletionSource<NorthguardReceipt>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}

/// <summary>Records sent as one append with one sequence number.</summary>
internal sealed class Batch
{
    public long Sequence { get; set; }

    public List<PendingRecord> Records { get; } = [];

    public List<Record> Wire { get; } = [];

    public long Bytes { get; private set; }

    public void Add(PendingRecord record)
    {
        Records.Add(record);
        Wire.Add(record.Wire);
        Bytes += record.Wire.CalculateSize();
    }
}
