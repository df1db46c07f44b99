using Google.Protobuf;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Turns a stored batch pushed by a broker (consume passthrough) into consumed records: checks the header, length and
/// CRC32C, skips offsets below the one asked for and strips the broker's reserved <c>ng.seq</c> header, so the records
/// equal those of the per-record form. Keys, values and header values are slices of the pushed bytes.
/// </summary>
internal static class StoredBatchReader
{
    /// <summary>
    /// Adds the records of <paramref name="batch"/> from <paramref name="fromOffset"/> to <paramref name="output"/>;
    /// returns what the batch weighs against the credits (all its records, its encoded length).
    /// Throws <see cref="ConsumeException"/> when the batch is malformed or fails its CRC.
    /// </summary>
    public static (int Records, long Bytes) Read(string topic, ulong rangeId, ByteString batch, long fromOffset, List<NorthguardConsumedRecord> output)
    {
        var decoded = new List<StoredRecord>();
        var weight = Decode(topic, rangeId, batch, fromOffset, decoded);
        foreach (var stored in decoded)
        {
            output.Add(ToConsumed(rangeId, stored));
        }

        return weight;
    }

    /// <summary>
    /// Adds the stored records of <paramref name="batch"/> from <paramref name="fromOffset"/> to
    /// <paramref name="output"/> (turn each into a consumed record with <see cref="ToConsumed"/>); returns the batch's
    /// weight against the credits. Throws <see cref="ConsumeException"/> when the batch is malformed or fails its CRC.
    /// </summary>
    public static (int Records, long Bytes) Decode(string topic, ulong rangeId, ByteString batch, long fromOffset, List<StoredRecord> output)
    {
        var memory = batch.Memory;
        if (!BatchHeader.TryRead(memory.Span, out var header) || header.Length != memory.Length)
        {
            throw Corrupt(topic, rangeId, "its header is malformed or does not match its length");
        }

        if (!BatchHeader.CrcMatches(memory.Span))
        {
            throw Corrupt(topic, rangeId, $"the CRC32C of the batch at offset {header.BaseOffset} does not match its content");
        }

        if (!BatchDecoder.TryDecode(memory, fromOffset, long.MaxValue, output))
        {
            throw Corrupt(topic, rangeId, $"the records of the batch at offset {header.BaseOffset} are malformed");
        }

        return (header.RecordCount, header.Length);
    }

    /// <summary>The consumed record for a decoded stored one, without the reserved <c>ng.seq</c> header.</summary>
    public static NorthguardConsumedRecord ToConsumed(ulong rangeId, in StoredRecord stored)
    {
        var record = stored.Record;
        return new NorthguardConsumedRecord(rangeId, stored.Offset, new NorthguardRecord(record.Key, record.Value, WithoutReserved(record.Headers), record.Timestamp));
    }

    private static IReadOnlyList<RecordHeader> WithoutReserved(IReadOnlyList<RecordHeader> headers)
    {
        foreach (var header in headers)
        {
            if (header.Name == ProducerSequenceHeader.Name)
            {
                return [.. headers.Where(h => h.Name != ProducerSequenceHeader.Name)];
            }
        }

        return headers;
    }

    private static ConsumeException Corrupt(string topic, ulong rangeId, string what) =>
        new($"Consume of '{topic}' range {rangeId} received a corrupt stored batch: {what}.") { Topic = topic };
}
