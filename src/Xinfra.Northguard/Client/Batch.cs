using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Records sent as one append with one sequence number, encoded once in the store's batch format (pooled buffer)
/// and completed once: each record's receipt is the batch's base offset plus the record's index.
/// </summary>
internal sealed class Batch(ulong rangeId) : IDisposable
{
    private readonly BatchBuilder _builder = new();

    public ulong RangeId => rangeId;

    public long Sequence { get; private set; }

    public int Count => _builder.Count;

    public long Bytes => _builder.Length;

    /// <summary>The encoded batch (after <see cref="Close"/>).</summary>
    public ReadOnlyMemory<byte> Encoded => _builder.Encoded;

    /// <summary>Completed with the base offset, with where the records moved (range retired), or with the error.</summary>
    public TaskCompletionSource<BatchResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Encodes a record; returns its index in the batch.</summary>
    public int Add(in NorthguardRecord record, long timestamp)
    {
        _builder.Add(record.Key.Span, record.Value.Span, record.Headers, timestamp, ProducerSequenceHeader.Name);
        return _builder.Count - 1;
    }

    /// <summary>Numbers the batch and writes its header (and the first record's producer sequence header).</summary>
    public void Close(ulong producerId, long sequence)
    {
        Sequence = sequence;
        _builder.Complete(producerId, sequence);
    }

    /// <summary>The records, as the user gave them (without the sequence header), to route them elsewhere.</summary>
    public List<NorthguardRecord> Decode()
    {
        var stored = new List<StoredRecord>(Count);
        if (!BatchDecoder.TryDecode(Encoded, 0, long.MaxValue, stored))
        {
            throw new InvalidOperationException("A batch this producer encoded does not decode.");
        }

        var records = new List<NorthguardRecord>(stored.Count);
        foreach (var (_, record) in stored)
        {
            var headers = new List<RecordHeader>(record.Headers.Count);
            foreach (var header in record.Headers)
            {
                if (header.Name != ProducerSequenceHeader.Name)
                {
                    headers.Add(header);
                }
            }

            records.Add(new NorthguardRecord(record.Key, record.Value, headers.Count == 0 ? null : headers, record.Timestamp));
        }

        return records;
    }

    public void Dispose() => _builder.Dispose();
}

/// <summary>How a batch ended: acknowledged at <paramref name="BaseOffset"/>, or its records moved to other batches.</summary>
/// <param name="BaseOffset">The offset of the first record (when acknowledged).</param>
/// <param name="Moved">Per record, where it went when its range retired; null when acknowledged.</param>
internal readonly record struct BatchResult(long BaseOffset, RecordSlot[]? Moved);

/// <summary>Where one record of a batch went: another batch and index, or the error that stopped it.</summary>
/// <param name="Batch">The batch it was added to.</param>
/// <param name="Index">Its index there.</param>
/// <param name="Error">Why it could not be re-queued.</param>
internal readonly record struct RecordSlot(Batch? Batch, int Index, Exception? Error);
