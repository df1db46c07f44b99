using Google.Protobuf;
using Xinfra.Northguard.Protocol;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.DataPath;

/// <summary>Converts records between the wire (<see cref="Record"/>) and the store (<see cref="LogRecord"/>).</summary>
internal static class RecordCodec
{
    public static LogRecord ToLog(Record record)
    {
        RecordHeader[] headers = record.Headers.Count == 0 ? [] : new RecordHeader[record.Headers.Count];
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = new RecordHeader(record.Headers[i].Name, record.Headers[i].Value.Memory);
        }

        return new LogRecord(record.Key.Memory, record.Value.Memory, headers, record.Timestamp);
    }

    public static Record ToWire(in LogRecord record)
    {
        var wire = new Record
        {
            Key = UnsafeByteOperations.UnsafeWrap(record.Key),
            Value = UnsafeByteOperations.UnsafeWrap(record.Value),
            Timestamp = record.Timestamp,
        };
        foreach (var header in record.Headers)
        {
            wire.Headers.Add(new Header { Name = header.Name, Value = UnsafeByteOperations.UnsafeWrap(header.Value) });
        }

        return wire;
    }

    /// <summary>The bytes a record weighs against size limits and byte credits.</summary>
    public static long SizeOf(Record record)
    {
        long size = record.Key.Length + record.Value.Length;
        foreach (var header in record.Headers)
        {
            size += header.Name.Length + header.Value.Length;
        }

        return size;
    }
}
