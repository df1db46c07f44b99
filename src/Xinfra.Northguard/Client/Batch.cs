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
    private List<Action<NorthguardReceipt, XinfraException?>?>? _callbacks;

    public ulong RangeId => rangeId;

    public long Sequence { get; private set; }

    public int Count => _builder.Count;

    public long Bytes => _builder.Length;

    /// <summary>Stage timestamps (<see cref="ProducerStageMetrics"/>): first record, closed, write started, acked; 0 when not timed.</summary>
    public (long Created, long Closed, long Writing, long Acked) Times;

    /// <summary>The encoded batch (after <see cref="Close"/>).</summary>
    public ReadOnlyMemory<byte> Encoded => _builder.Encoded;

    /// <summary>Completed with the base offset, with where the records moved (range retired), or with the error.</summary>
    public TaskCompletionSource<BatchResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Encodes a record; returns its index in the batch. <paramref name="onDelivery"/> runs when the batch ends.</summary>
    public int Add(in NorthguardRecord record, long timestamp, Action<NorthguardReceipt, XinfraException?>? onDelivery)
    {
        _builder.Add(record.Key.Span, record.Value.Span, record.Headers, timestamp, ProducerSequenceHeader.Name);
        int index = _builder.Count - 1;
        if (onDelivery is not null || _callbacks is not null)
        {
            _callbacks ??= [];
            while (_callbacks.Count < index)
            {
                _callbacks.Add(null);
            }

            _callbacks.Add(onDelivery);
        }

        return index;
    }

    /// <summary>The delivery callback of record <paramref name="index"/>, if it has one.</summary>
    public Action<NorthguardReceipt, XinfraException?>? CallbackAt(int index) =>
        _callbacks is { } callbacks && index < callbacks.Count ? callbacks[index] : null;

    /// <summary>Acknowledged at <paramref name="baseOffset"/>: completes awaiters and runs delivery callbacks.</summary>
    public void Acknowledge(long baseOffset)
    {
        Completion.TrySetResult(new BatchResult(baseOffset, null));
        if (_callbacks is { } callbacks)
        {
            for (int i = 0; i < callbacks.Count; i++)
            {
                Deliver(callbacks[i], new NorthguardReceipt(RangeId, baseOffset + i), null);
            }
        }
    }

    /// <summary>Failed: awaiters and delivery callbacks get <paramref name="error"/>.</summary>
    public void Fail(XinfraException error)
    {
        Completion.TrySetException(error);
        if (_callbacks is { } callbacks)
        {
            foreach (var callback in callbacks)
            {
                Deliver(callback, default, error);
            }
        }
    }

    private static void Deliver(Action<NorthguardReceipt, XinfraException?>? callback, NorthguardReceipt receipt, XinfraException? error)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            callback(receipt, error);
        }
        catch (Exception e)
        {
            // A throwing callback is a bug in the caller: surface it like an exception in a timer callback would,
            // not inside the producer's I/O loop (which would stall every other record of the range).
            ThreadPool.UnsafeQueueUserWorkItem(static e => throw new InvalidOperationException("A Northguard delivery callback threw.", e), e, preferLocal: false);
        }
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
