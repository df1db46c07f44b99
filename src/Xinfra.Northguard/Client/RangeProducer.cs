using System.Threading.Channels;
using Grpc.Core;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Produces to one range: batches records by size and linger, numbers batches with consecutive sequences, pipelines
/// them within the leader's window, completes receipts on acks, and on a seal or a broker failure reconnects to the
/// range's (new) open segment and resends every unacknowledged batch with its original sequence.
/// </summary>
internal sealed partial class RangeProducer : IAsyncDisposable
{
    private readonly ClientConnections _connections;
    private readonly string _topic;
    private readonly ulong _producerId;
    private readonly Action<RangeProducer, IReadOnlyList<Batch>> _onRetired;
    private readonly Lock _lock = new();
    private readonly List<Batch> _unacked = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Batch? _open;
    private long _nextSequence;
    private int _sentIndex;
    private long _ackedEnd = -1;
    private bool _closed;

    public RangeProducer(ClientConnections connections, string topic, ulong rangeId, ulong producerId, Action<RangeProducer, IReadOnlyList<Batch>> onRetired)
    {
        _connections = connections;
        _topic = topic;
        RangeId = rangeId;
        _producerId = producerId;
        _onRetired = onRetired;
        _loop = Task.Run(RunAsync);
    }

    public ulong RangeId { get; }

    private NorthguardClientOptions Options => _connections.Options;

    /// <summary>
    /// Encodes a record into the open batch; false when this range no longer takes records (retired or closed).
    /// The record's receipt is <paramref name="batch"/>'s base offset plus <paramref name="index"/>.
    /// </summary>
    public bool TryAdd(in NorthguardRecord record, long timestamp, Action<NorthguardReceipt, XinfraException?> onDelivery, out Batch batch, out int index)
    {
        Batch? lingering = null;
        lock (_lock)
        {
            if (_closed)
            {
                batch = null!;
                index = 0;
                return false;
            }

            bool created = _open is null;
            batch = _open ??= new Batch(RangeId);
            if (created && ProducerStageMetrics.Enabled)
            {
                batch.Times.Created = Options.TimeProvider.GetTimestamp();
            }

            index = batch.Add(record, timestamp, onDelivery);

            // Nothing unacknowledged: send now rather than linger (records that arrive meanwhile batch up behind it
            // and leave when its ack comes back or their linger ends, whichever is first).
            if (batch.Bytes >= Options.BatchMaxBytes || _unacked.Count == 0)
            {
                CloseOpenBatch();
            }
            else if (created)
            {
                lingering = batch;
            }
        }

        if (lingering is not null)
        {
            _ = LingerAsync(lingering);
        }

        return true;
    }

    private async Task LingerAsync(Batch batch)
    {
        try
        {
            await Task.Delay(Options.Linger, Options.TimeProvider, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            if (_open == batch)
            {
                CloseOpenBatch();
            }
        }
    }

    private void CloseOpenBatch()
    {
        _open!.Close(_producerId, _nextSequence++);
        if (_open.Times.Created != 0)
        {
            _open.Times.Closed = Options.TimeProvider.GetTimestamp();
        }

        _unacked.Add(_open);
        _open = null;
        _wake.Writer.TryWrite(true);
    }

    private async Task RunAsync()
    {
        int failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (await RunSessionAsync(_stop.Token).ConfigureAwait(false))
                {
                    failures = 0;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (ClientErrors.IsRetired(e))
            {
                Retire();
                return;
            }
            catch (Exception e) when (e is RpcException r && ClientErrors.IsTransient(r) || e is IOException or HttpRequestException or InvalidOperationException)
            {
                if (++failures > Options.MaxRetries)
                {
                    FailAll(ClientErrors.ForProduce(_topic, e));
                    return;
                }
            }
            catch (Exception e)
            {
                FailAll(ClientErrors.ForProduce(_topic, e));
                return;
            }

            try
            {
                await Task.Delay(failures == 0 ? TimeSpan.Zero : Options.RetryDelay, Options.TimeProvider, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Retire()
    {
        List<Batch> batches;
        lock (_lock)
        {
            _closed = true;
            if (_open is not null)
            {
                CloseOpenBatch();
            }

            batches = [.. _unacked];
            _unacked.Clear();

            // Inside the lock: a record refused by this range from now on finds these batches already queued for
            // re-routing ahead of it (per-key order across the split).
            _onRetired(this, batches);
        }
    }

    private void FailAll(XinfraException error)
    {
        List<Batch> failed;
        lock (_lock)
        {
            _closed = true;
            if (_open is not null)
            {
                CloseOpenBatch();
            }

            failed = [.. _unacked];
            _unacked.Clear();
        }

        foreach (var batch in failed)
        {
            batch.Fail(error);
            batch.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        FailAll(new ProduceException($"The producer for '{_topic}' was disposed before the record was acknowledged.", null) { Topic = _topic });
        _stop.Dispose();
    }
}
