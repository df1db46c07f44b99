using Microsoft.Extensions.Logging;
using Xinfra.Consuming;
using Xinfra.Producing;
using Xinfra.Producing.Outbox;
using Xinfra.Routing;

namespace Xinfra;

/// <summary>The default <see cref="IXinfraClient"/>.</summary>
internal sealed class XinfraClient(
    XinfraConfigurationMonitor configuration,
    TransportRegistry transports,
    DualWriteOutboxes outboxes,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IXinfraClient
{
    public IXinfraProducer<TKey, TValue> CreateProducer<TKey, TValue>(string topic, ProducerOptions<TKey, TValue>? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        configuration.Current.Route(topic);
        return new XinfraProducer<TKey, TValue>(
            topic, options ?? ProducerOptions<TKey, TValue>.Default, configuration, transports, outboxes, timeProvider, loggerFactory.CreateLogger("Xinfra.Producer"));
    }

    public IXinfraConsumer<TKey, TValue> CreateConsumer<TKey, TValue>(string topic, ConsumerOptions<TKey, TValue> options)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GroupId, nameof(options) + "." + nameof(options.GroupId));
        configuration.Current.Route(topic);
        return new XinfraConsumer<TKey, TValue>(
            topic, options, configuration, transports, timeProvider, loggerFactory.CreateLogger("Xinfra.Consumer"));
    }
}
