using Microsoft.Extensions.Options;
using Xinfra.Kafka.Native;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>Creates Kafka transports; registered by <see cref="KafkaXinfraBuilderExtensions.AddKafka"/>.</summary>
public sealed class KafkaTransportFactory : ITransportFactory
{
    private readonly KafkaTransportOptions _options;

    /// <summary>Creates the factory with the transport options.</summary>
    public KafkaTransportFactory(IOptions<KafkaTransportOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
    }

    /// <inheritdoc />
    public ClusterKind Kind => ClusterKind.Kafka;

    /// <summary>
    /// Creates the transport of one Kafka cluster. Does not touch the network: librdkafka connects in the background,
    /// and an unreachable cluster surfaces as <see cref="ClusterUnavailableException"/> on the first operation.
    /// </summary>
    public ITransport Create(TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(context.Cluster.Bootstrap))
        {
            throw new XinfraConfigurationException(
                $"{XinfraOptions.SectionName}:Clusters:{context.ClusterName}:Bootstrap: a Kafka cluster needs bootstrap servers (host:port[,host:port...])")
            {
                Cluster = context.ClusterName,
                Field = $"{XinfraOptions.SectionName}:Clusters:{context.ClusterName}:Bootstrap",
            };
        }

        KafkaNative.EnsureLoaded();
        return new KafkaTransport(context, _options);
    }
}
