namespace Xinfra;

/// <summary>
/// Produces to one logical topic. Thread-safe; create one per topic and share it. Follows the topic's migration phase
/// live: in a dual-write phase every record goes to both clusters.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public interface IXinfraProducer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>The logical topic.</summary>
    string Topic { get; }

    /// <summary>
    /// Produces a record and completes when it is durable on every cluster the current phase writes to. Throws
    /// <see cref="ProduceException"/> (or another <see cref="XinfraException"/>) naming the topic and cluster.
    /// </summary>
    ValueTask<DeliveryReceipt> ProduceAsync(XinfraMessage<TKey, TValue> message, CancellationToken cancellationToken = default);

    /// <summary>Produces a record with a key and a value; see <see cref="ProduceAsync(XinfraMessage{TKey, TValue}, CancellationToken)"/>.</summary>
    ValueTask<DeliveryReceipt> ProduceAsync(TKey key, TValue value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Produces without waiting, for throughput. <paramref name="onDelivered"/> (optional) runs once with the
    /// receipt or the error, on a transport thread. Serialization and size errors are thrown here, synchronously.
    /// </summary>
    void Produce(XinfraMessage<TKey, TValue> message, Action<DeliveryReport>? onDelivered = null);

    /// <summary>Completes when every record passed to <see cref="Produce"/> so far was delivered or failed.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
