using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Records sent as one append with one sequence number, encoded once in the store's batch format (pooled buffer)
/// and completed once: each record's receipt is the batch's base offset plus the record's index. Every record has a
/// delivery callback: the caller's (<c>Produce</c>, run inline on the I/O thread) or a <see cref="ReceiptSource"/>'s
/// (<c>ProduceAsync</c>, completed together from one thread-pool work item).
/// </summary>
internal sealed class Batch(ulong rangeId) : IDisposable, IThreadPoolWorkItem
{
    private readonly BatchBuilder _builder = new();
    private readonly List<Action<NorthguardReceipt, XinfraException?>> _callbacks = [];
    private long _baseOffset;
    private XinfraException? _error;

    public ulong RangeId => rangeId;

    public long Sequence { get; private set; }

    public int Count => _builder.Count;

    public long Bytes => _builder.Length;

    /// <summary>Stage timestamps (<see cref="ProducerStageMetrics"/>): first record, closed, write started, acked; 0 when not timed.</summary>
    public (long Created, long Closed, long Writing, long Acked) Times;

    /// <summary>The encoded batch (after <see cref="Close"/>).</summary>
    public ReadOnlyMemory<byte> Encoded => _builder.Encoded;

    /// <summary>Encodes a record; returns its index in the batch. <paramref name="onDelivery"/> runs when the batch ends.</summary>
    public int Add(in NorthguardRecord record, long timestamp, Action<NorthguardReceipt, XinfraException?> onDelivery)
    {
        _builder.Add(record.Key.Span, record.Value.Span, record.Headers, timestamp, ProducerSequenceHeader.Name);
        _callbacks.Add(onDelivery);
        return _builder.Count - 1;
    }

    /// <summary>The delivery callback of record <paramref name="index"/>.</summary>
    public Action<NorthguardReceipt, XinfraException?> CallbackAt(int index) => _callbacks[index];

    /// <summary>Acknowledged at <paramref name="baseOffset"/>: runs delivery callbacks and completes receipt sources.</summary>
    public void Acknowledge(long baseOffset)
    {
        _baseOffset = baseOffset;
        Deliver();
    }

    /// <summary>Failed: delivery callbacks and receipt sources get <paramref name="error"/>.</summary>
    public void Fail(XinfraException error)
    {
        _error = error;
        Deliver();
    }

    /// <summary>
    /// Runs the callers' callbacks here, in order, and hands the receipt sources to one pool work item (their
    /// continuations must not run on the I/O thread). The callback list outlives <see cref="Dispose"/> (only the
    /// encoded buffer goes back to the pool), so the work item may run after the batch was disposed.
    /// </summary>
    private void Deliver()
    {
        bool sources = false;
        for (int i = 0; i < _callbacks.Count; i++)
        {
            if (_callbacks[i].Target is ReceiptSource)
            {
                sources = true;
            }
            else
            {
                Deliver(_callbacks[i], _error is null ? new NorthguardReceipt(RangeId, _baseOffset + i) : default, _error);
            }
        }

        if (sources)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        for (int i = 0; i < _callbacks.Count; i++)
        {
            if (_callbacks[i].Target is ReceiptSource source)
            {
                try
                {
                    source.Complete(_error is null ? new NorthguardReceipt(RangeId, _baseOffset + i) : default, _error, Times.Acked);
                }
                catch (Exception e)
                {
                    // Only a caller's own awaiter (not await) can throw from its continuation: surface it, keep completing.
                    ThreadPool.UnsafeQueueUserWorkItem(static e => throw new InvalidOperationException("A ProduceAsync continuation threw.", e), e, preferLocal: false);
                }
            }
        }
    }

    private static void Deliver(Action<NorthguardReceipt, XinfraException?> callback, NorthguardReceipt receipt, XinfraException? error)
    {
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
