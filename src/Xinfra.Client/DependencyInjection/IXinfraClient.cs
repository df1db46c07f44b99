namespace Xinfra;

/// <summary>Creates producers and consumers of logical topics. Registered by <c>AddXinfra</c>; inject it.</summary>
public interface IXinfraClient
{
    /// <summary>Creates a producer for <paramref name="topic"/>; throws <see cref="UnknownTopicException"/> if it is not configured.</summary>
    IXinfraProducer<TKey, TValue> CreateProducer<TKey, TValue>(string topic, ProducerOptions<TKey, TValue>? options = null);

    /// <summary>Creates a consumer-group member for <paramref name="topic"/>; throws <see cref="UnknownTopicException"/> if it is not configured.</summary>
    IXinfraConsumer<TKey, TValue> CreateConsumer<TKey, TValue>(string topic, ConsumerOptions<TKey, TValue> options);
}
