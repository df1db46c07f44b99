using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xinfra.Kafka.Testing;
using Xinfra.Transport;

namespace Xinfra.Kafka.Tests.Infrastructure;

/// <summary>
/// One cluster per test class: librdkafka's mock cluster, or the real cluster named by <c>XINFRA_KAFKA_BOOTSTRAP</c>.
/// </summary>
public sealed class KafkaClusterFixture : IDisposable
{
    public const string BootstrapVariable = "XINFRA_KAFKA_BOOTSTRAP";

    public KafkaClusterFixture()
    {
        var external = Environment.GetEnvironmentVariable(BootstrapVariable);
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

    /// <summary>The mock cluster, or null when the tests run against a real cluster.</summary>
    public KafkaMockCluster? Mock { get; }

    public string Bootstrap { get; }

    public static bool IsExternal => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(BootstrapVariable));

    public ITransport CreateTransport(
        Dictionary<string, string>? settings = null,
        SecurityProfileOptions? security = null,
        Action<KafkaTransportOptions>? configure = null,
        string? bootstrap = null,
        int maxRecordBytes = 1024 * 1024)
    {
        var options = new KafkaTransportOptions { ReplicationFactor = IsExternal ? (short)-1 : (short)1 };
        configure?.Invoke(options);
        var cluster = new ClusterOptions
        {
            Kind = ClusterKind.Kafka,
            Bootstrap = bootstrap ?? Bootstrap,
            Settings = settings ?? new Dictionary<string, string>(StringComparer.Ordinal),
            MaxRecordBytes = maxRecordBytes,
            SecurityProfile = security is null ? null : "test-profile",
        };
        if (Mock is not null)
        {
            // The mock holds a rebalance open for session.timeout.ms - 1 s after a member joins or leaves: keep it short.
            cluster.Settings.TryAdd("session.timeout.ms", "2500");
            cluster.Settings.TryAdd("heartbeat.interval.ms", "250");
        }

        var log = Environment.GetEnvironmentVariable("XINFRA_KAFKA_TEST_LOG");
        ILoggerFactory loggers = NullLoggerFactory.Instance;
        if (!string.IsNullOrEmpty(log))
        {
            loggers = new FileLoggerFactory(log);
            cluster.Settings.TryAdd("debug", Environment.GetEnvironmentVariable("XINFRA_KAFKA_TEST_DEBUG") ?? "cgrp");
        }

        var context = new TransportContext("test-cluster", cluster, security, "xinfra-tests", loggers, TimeProvider.System);
        return new KafkaTransportFactory(Options.Create(options)).Create(context);
    }

    public static PhysicalTopic NewTopic(int partitions = 3, string? logical = null)
    {
        var name = $"t-{Guid.NewGuid():N}"[..20];
        return new PhysicalTopic(logical ?? "logical-" + name, "test-cluster", name, partitions);
    }

    public async Task<PhysicalTopic> CreateTopicAsync(ITransport transport, int partitions = 3)
    {
        var topic = NewTopic(partitions);
        Assert.True(await transport.EnsureTopicAsync(topic, CancellationToken.None));
        return topic;
    }

    public void Dispose() => Mock?.Dispose();
}
