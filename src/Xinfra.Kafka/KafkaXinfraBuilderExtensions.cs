using Microsoft.Extensions.DependencyInjection;
using Xinfra.Kafka;

namespace Xinfra;

/// <summary>Adds the Kafka transport to Xinfra: <c>services.AddXinfra(...).AddKafka()</c>.</summary>
public static class KafkaXinfraBuilderExtensions
{
    /// <summary>
    /// Registers the Kafka transport (Confluent.Kafka) for clusters of kind <see cref="ClusterKind.Kafka"/>.
    /// Calling it again only adds <paramref name="configure"/> to the options.
    /// </summary>
    public static IXinfraBuilder AddKafka(this IXinfraBuilder builder, Action<KafkaTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<KafkaTransportOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.AddTransport<KafkaTransportFactory>();
    }
}
