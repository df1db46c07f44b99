using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xinfra.Transport;

namespace Xinfra.Kafka.Tests;

public sealed class KafkaXinfraBuilderExtensionsTests
{
    [Fact]
    public void AddKafka_Twice_RegistersOneKafkaFactoryAndAppliesOptions()
    {
        var services = new ServiceCollection();
        var builder = new Builder(services);

        builder.AddKafka(o => o.ConsumerBufferSize = 64).AddKafka(o => o.ReplicationFactor = 3);
        using var provider = services.BuildServiceProvider();

        var factory = Assert.Single(provider.GetServices<ITransportFactory>());
        Assert.IsType<KafkaTransportFactory>(factory);
        Assert.Equal(ClusterKind.Kafka, factory.Kind);
        var options = provider.GetRequiredService<IOptions<KafkaTransportOptions>>().Value;
        Assert.Equal(64, options.ConsumerBufferSize);
        Assert.Equal(3, options.ReplicationFactor);
    }

    [Fact]
    public void Create_WithoutBootstrap_ThrowsConfigurationErrorNamingTheField()
    {
        var factory = new KafkaTransportFactory(Options.Create(new KafkaTransportOptions()));
        var context = new TransportContext("k1", new ClusterOptions { Kind = ClusterKind.Kafka }, null, "app",
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System);

        var error = Assert.Throws<XinfraConfigurationException>(() => factory.Create(context));

        Assert.Equal("Xinfra:Clusters:k1:Bootstrap", error.Field);
    }

    private sealed class Builder(IServiceCollection services) : IXinfraBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
