using System.Collections.Concurrent;
using System.Security.Cryptography;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Produces records to Northguard topics. A record goes to the active range covering its key hash; records of a
/// range are batched (size, linger), pipelined within the leader's window, and acknowledged only once durable on every
/// replica. Seals, leader changes and range splits are followed transparently: unacknowledged batches are resent with
/// their original sequence numbers (the leader drops duplicates). Thread-safe.
/// </summary>
public sealed class NorthguardProducerClient : IAsyncDisposable
{
    private readonly ClientConnections _connections;
    private readonly ulong _producerId;
    private readonly ConcurrentDictionary<(string Topic, ulong Range), Lazy<RangeProducer>> _producers = new();
    private readonly ConcurrentDictionary<string, TopicRouting> _routes = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates a producer; it connects lazily.</summary>
    public NorthguardProducerClient(NorthguardClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is needed.", nameof(options));
        }

        _connections = new ClientConnections(options);
        _producerId = options.ProducerId != 0 ? options.ProducerId : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
    }

    /// <summary>The producer id that makes this producer's retries idempotent.</summary>
    public ulong ProducerId => _producerId;

    /// <summary>
    /// Queues one record without a task per record: <paramref name="onDelivery"/> runs once with the receipt when the
    /// record is durable on every replica of its segment, or with the error. It runs on the producer's I/O thread after
    /// the whole batch was acknowledged, so it must be short and must not block; an exception it throws is rethrown on
    /// the thread pool (like one from a timer callback). Records of a range are written and delivered in call order.
    /// The call blocks only while the topic's route is fetched (its first record) or re-read after a range change;
    /// errors from the cluster (unknown topic, refused, unreachable) go to the callback. This is the high-throughput
    /// form of <see cref="ProduceAsync"/> (Kafka's <c>Produce</c> with a delivery handler).
    /// </summary>
    /// <exception cref="RecordTooLargeException">The record exceeds <see cref="NorthguardClientOptions.MaxRecordBytes"/>.</exception>
    public void Produce(string topic, NorthguardRecord record, Action<NorthguardReceipt, XinfraException?> onDelivery)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(onDelivery);
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckSize(topic, record);
        long timestamp = record.Timestamp != 0 ? record.Timestamp : _connections.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var enqueued = EnqueueAsync(topic, NorthguardKeyHash.Of(record.Key.Span), record, timestamp, onDelivery, CancellationToken.None);
        if (!enqueued.IsCompletedSuccessfully)
        {
            // The topic's route is not known yet (its first record) or its ranges changed: wait here, so records
            // keep the order of the calls (as Kafka's Produce blocks on metadata).
            try
            {
                enqueued.AsTask().GetAwaiter().GetResult();
            }
            catch (XinfraException e)
            {
                onDelivery(default, e);
            }
        }
    }

    private void CheckSize(string topic, in NorthguardRecord record)
    {
        // Counted as the broker counts it in the encoded batch: key, value, header names (UTF-8) and values.
        long size = record.Key.Length + record.Value.Length;
        foreach (var header in record.Headers ?? [])
        {
            size += System.Text.Encoding.UTF8.GetByteCount(header.Name) + header.Value.Length;
        }

        if (size > _connections.Options.MaxRecordBytes)
        {
            throw new RecordTooLargeException($"A record of {size} bytes exceeds the limit of {_connections.Options.MaxRecordBytes} bytes.", size, _connections.Options.MaxRecordBytes) { Topic = topic };
        }
    }

    /// <summary>
    /// Produces one record; the receipt comes once it is durable on every replica of its segment. The returned task
    /// may be awaited once (it is pooled); the continuations of one batch's records run one after another on a pool
    /// thread. Cancelling <paramref name="cancellationToken"/> stops the wait, not the record (it may still be written).
    /// </summary>
    /// <exception cref="RecordTooLargeException">The record exceeds <see cref="NorthguardClientOptions.MaxRecordBytes"/>.</exception>
    /// <exception cref="UnknownTopicException">The topic does not exist.</exception>
    /// <exception cref="ProduceException">The cluster refused the record or stayed unreachable.</exception>
    public ValueTask<NorthguardReceipt> ProduceAsync(string topic, NorthguardRecord record, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentException.ThrowIfNullOrEmpty(topic);
            ObjectDisposedException.ThrowIf(_disposed, this);
            CheckSize(topic, record);
            var time = _connections.Options.TimeProvider;
            long timestamp = record.Timestamp != 0 ? record.Timestamp : time.GetUtcNow().ToUnixTimeMilliseconds();
            var source = ReceiptSource.Rent(ProducerStageMetrics.Enabled ? time : null);
            var receipt = source.Task;
            var enqueued = EnqueueAsync(topic, NorthguardKeyHash.Of(record.Key.Span), record, timestamp, source.OnDelivery, cancellationToken);
            if (!enqueued.IsCompletedSuccessfully)
            {
                return EnqueuedAsync(enqueued, source, receipt, cancellationToken);
            }

            source.WatchCancellation(cancellationToken);
            return receipt;
        }
        catch (Exception e)
        {
            return ValueTask.FromException<NorthguardReceipt>(e);
        }
    }

    /// <summary>The slow path: the topic's route is being fetched (its first record) or re-read.</summary>
    private static async ValueTask<NorthguardReceipt> EnqueuedAsync(ValueTask<(Batch Batch, int Index)> enqueued, ReceiptSource source, ValueTask<NorthguardReceipt> receipt, CancellationToken cancellationToken)
    {
        await enqueued.ConfigureAwait(false);
        source.WatchCancellation(cancellationToken);
        return await receipt.ConfigureAwait(false);
    }

    private ValueTask<(Batch Batch, int Index)> EnqueueAsync(string topic, ulong hash, NorthguardRecord record, long timestamp,
        Action<NorthguardReceipt, XinfraException?> onDelivery, CancellationToken cancellationToken)
    {
        if (!_routes.TryGetValue(topic, out var routing))
        {
            routing = _routes.GetOrAdd(topic, static _ => new TopicRouting());
        }

        if (routing.FastRoute is { } route && TryAddRouted(topic, route, hash, record, timestamp, onDelivery, out var added))
        {
            return new(added);
        }

        return EnqueueInLineAsync(routing, topic, hash, record, timestamp, onDelivery, cancellationToken);
    }

    /// <summary>
    /// The slow path, in call order: waits its turn at the topic's gate, (re)fetches the route, first places records of
    /// retired ranges still waiting to be re-routed, then its own record; retries while no active range takes a key.
    /// </summary>
    private async ValueTask<(Batch Batch, int Index)> EnqueueInLineAsync(TopicRouting routing, string topic, ulong hash, NorthguardRecord record, long timestamp,
        Action<NorthguardReceipt, XinfraException?> onDelivery, CancellationToken cancellationToken, bool placeOwn = true)
    {
        await routing.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var route = await RouteAsync(routing, topic).ConfigureAwait(false);
                if (PlaceReroutes(routing, topic, route))
                {
                    if (!placeOwn)
                    {
                        return default;
                    }

                    if (TryAddRouted(topic, route, hash, record, timestamp, onDelivery, out var added))
                    {
                        return added;
                    }
                }

                routing.Forget();
                if (attempt >= _connections.Options.MaxRetries)
                {
                    var error = new ProduceException($"No active range of '{topic}' takes key hash {hash}.", null, isTransient: true) { Topic = topic };
                    FailReroutes(routing, error);
                    throw error;
                }

                await Task.Delay(_connections.Options.RetryDelay, _connections.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (XinfraException e) when (!placeOwn)
        {
            // The turn taken for a retired range's records: they get the error (nobody else may come to place them).
            FailReroutes(routing, e);
            throw;
        }
        finally
        {
            routing.Gate.Release();
        }
    }

    private async ValueTask<RouteResponse> RouteAsync(TopicRouting routing, string topic)
    {
        try
        {
            return await routing.RouteOrFetch(() => _connections.RouteAsync(topic, CancellationToken.None)).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            routing.Forget();
            throw ClientErrors.ForProduce(topic, e);
        }
    }

    private bool TryAddRouted(string topic, RouteResponse route, ulong hash, in NorthguardRecord record, long timestamp,
        Action<NorthguardReceipt, XinfraException?> onDelivery, out (Batch Batch, int Index) added)
    {
        // An index loop: RepeatedField's enumerator is allocated per call, and this runs per record.
        for (int r = 0; r < route.Ranges.Count; r++)
        {
            var range = route.Ranges[r];
            if (range.Active && hash >= range.KeyStart && hash <= range.KeyEnd)
            {
                if (!_producers.TryGetValue((topic, range.RangeId), out var lazy))
                {
                    // Lazy: GetOrAdd may run the factory twice under a race, and a discarded RangeProducer would keep a session open.
                    lazy = _producers.GetOrAdd((topic, range.RangeId), key => new Lazy<RangeProducer>(
                        () => new RangeProducer(_connections, key.Topic, key.Range, _producerId, OnRetired)));
                }

                if (lazy.Value.TryAdd(record, timestamp, onDelivery, out var batch, out int index))
                {
                    added = (batch, index);
                    return true;
                }
            }
        }

        added = default;
        return false;
    }

    /// <summary>Places the waiting records of retired ranges in the ranges of <paramref name="route"/>; false when one finds no range.</summary>
    private bool PlaceReroutes(TopicRouting routing, string topic, RouteResponse route)
    {
        while (routing.TryPeekReroute(out var reroute))
        {
            for (; reroute.Next < reroute.Records.Count; reroute.Next++)
            {
                var record = reroute.Records[reroute.Next];
                if (!TryAddRouted(topic, route, NorthguardKeyHash.Of(record.Key.Span), record, record.Timestamp, reroute.Batch.CallbackAt(reroute.Next), out _))
                {
                    return false;
                }
            }

            routing.CompleteReroute();
        }

        return true;
    }

    private static void FailReroutes(TopicRouting routing, XinfraException error)
    {
        while (routing.TryPeekReroute(out var reroute))
        {
            for (; reroute.Next < reroute.Records.Count; reroute.Next++)
            {
                reroute.Batch.CallbackAt(reroute.Next)(default, error);
            }

            routing.CompleteReroute();
        }
    }

    private void OnRetired(RangeProducer producer, IReadOnlyList<Batch> batches)
    {
        var key = _producers.FirstOrDefault(p => p.Value.IsValueCreated && p.Value.Value == producer).Key;
        _producers.TryRemove(key, out _);
        if (key.Topic is null)
        {
            return;
        }

        var routing = _routes.GetOrAdd(key.Topic, static _ => new TopicRouting());
        // Queued ahead of every record not yet in a range: whoever holds the gate next places them first, and later
        // records of the topic skip the fast path until they are placed. This task takes a turn in case nobody comes.
        routing.AddReroutes(batches);
        _ = Task.Run(async () =>
        {
            try
            {
                await EnqueueInLineAsync(routing, key.Topic, 0, default, 0, static (_, _) => { }, CancellationToken.None, placeOwn: false).ConfigureAwait(false);
            }
            catch (XinfraException)
            {
                // The re-routed records got the error through their callbacks.
            }
        });
    }

    /// <summary>Stops producing; records not yet acknowledged fail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var producer in _producers.Values)
        {
            await producer.Value.DisposeAsync().ConfigureAwait(false);
        }

        _connections.Dispose();
    }
}
