using Xinfra.Kafka.Testing;

namespace Xinfra.IntegrationTests;

/// <summary>librdkafka's mock Kafka cluster (3 brokers), or the real cluster named by XINFRA_KAFKA_BOOTSTRAP.</summary>
public sealed class KafkaMockFixture : IDisposable
{
    public KafkaMockFixture()
    {
        var external = Environment.GetEnvironmentVariable("XINFRA_KAFKA_BOOTSTRAP");
        if (string.IsNullOrWhiteSpace(external))
        {
            Mock = KafkaMockCluster.Start(brokers: 3);
            Bootstrap = Mock.BootstrapServers;
        }
        else
        {
            Bootstrap = external;
        }
    }

    public KafkaMockCluster? Mock { get; }

    public string Bootstrap { get; }

    /// <summary>Cluster settings that keep the mock's group rebalances short.</summary>
    public string SettingsJson => Mock is null ? "{}" : """{ "session.timeout.ms": "4000", "heartbeat.interval.ms": "300" }""";

    public void Dispose() => Mock?.Dispose();
}
