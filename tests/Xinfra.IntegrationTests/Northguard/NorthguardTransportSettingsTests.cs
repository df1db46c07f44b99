using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Northguard.Transport;
using Xinfra.Transport;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary><c>Xinfra:Clusters:*:Settings</c> of a Northguard cluster: parsed, checked, and refused by full path.</summary>
public sealed class NorthguardTransportSettingsTests
{
    [Fact]
    public void From_NoSettings_GivesTheDefaults()
    {
        var settings = NorthguardTransportSettings.From(Context(new Dictionary<string, string>()));

        Assert.Equal(NorthguardTransportSettings.Default, settings);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.GroupSessionTimeout);
    }

    [Fact]
    public void From_KnownSettings_AreApplied()
    {
        var settings = NorthguardTransportSettings.From(Context(new Dictionary<string, string>
        {
            ["group.session.timeout.ms"] = "3000",
            ["group.heartbeat.interval.ms"] = "500",
            ["producer.linger.ms"] = "0",
            ["producer.batch.max.bytes"] = "65536",
            ["consumer.credit.records"] = "100",
            ["consumer.credit.bytes"] = "1048576",
            ["retry.backoff.ms"] = "20",
            ["retries"] = "7",
            ["replication.factor"] = "2",
            ["retention.ms"] = "-1",
        }));

        Assert.Equal(TimeSpan.FromSeconds(3), settings.GroupSessionTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.GroupHeartbeatInterval);
        Assert.Equal(TimeSpan.Zero, settings.ProducerLinger);
        Assert.Equal(65536, settings.ProducerBatchMaxBytes);
        Assert.Equal(100, settings.ConsumerCreditRecords);
        Assert.Equal(1048576, settings.ConsumerCreditBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(20), settings.RetryBackoff);
        Assert.Equal(7, settings.Retries);
        Assert.Equal(2, settings.ReplicationFactor);
        Assert.Null(settings.Retention);
    }

    [Theory]
    [InlineData("group.session.timeout", "1000", "is not a Northguard setting")]
    [InlineData("producer.linger.ms", "2ms", "'2ms' is not valid: expected a whole number from 0 to 60000")]
    [InlineData("consumer.credit.records", "0", "expected a whole number from 1")]
    [InlineData("group.heartbeat.interval.ms", "5000", "at most a third of group.session.timeout.ms (10000)")]
    public void From_BadSetting_IsRefusedNamingItsPath(string key, string value, string expected)
    {
        var error = Assert.Throws<XinfraConfigurationException>(() => NorthguardTransportSettings.From(Context(new Dictionary<string, string> { [key] = value })));

        Assert.Equal($"Xinfra:Clusters:ng:Settings:{key}", error.Field);
        Assert.Equal("ng", error.Cluster);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static TransportContext Context(Dictionary<string, string> settings) =>
        new("ng", new ClusterOptions { Kind = ClusterKind.Northguard, Bootstrap = "127.0.0.1:1", Settings = settings }, null, "app", NullLoggerFactory.Instance, TimeProvider.System);
}
