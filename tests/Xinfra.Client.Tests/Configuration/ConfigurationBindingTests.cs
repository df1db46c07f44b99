using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Configuration;

public sealed class ConfigurationBindingTests
{
    [Fact]
    public async Task AddXinfra_BindsClustersTopicsAndProfiles()
    {
        await using var host = TestHost.FromJson("""
            {
              "Xinfra": {
                "ApplicationId": "billing",
                "SecurityProfiles": { "internal": { "Tls": true, "SaslMechanism": "PLAIN", "Username": "svc", "Password": "s3cret" } },
                "Clusters": {
                  "kafka-a": { "Kind": "InMemory", "Bootstrap": "a:9092", "SecurityProfile": "internal", "DefaultPartitions": 6, "Settings": { "linger.ms": "5" } },
                  "ng": { "Kind": "InMemory", "Bootstrap": "ng:7000" }
                },
                "Topics": {
                  "payments": { "Epochs": [ { "Cluster": "kafka-a", "Topic": "payments.v1", "Partitions": 12 }, { "Cluster": "ng" } ], "Phase": "DualWriteReadSource" }
                }
              }
            }
            """);

        var options = host.Services.GetRequiredService<IOptionsMonitor<XinfraOptions>>().CurrentValue;
        Assert.Equal("billing", options.ApplicationId);
        Assert.Equal(6, options.Clusters["kafka-a"].DefaultPartitions);
        Assert.Equal("5", options.Clusters["kafka-a"].Settings["linger.ms"]);
        Assert.True(options.SecurityProfiles["internal"].Tls);

        var route = host.Configuration.Current.Route("payments");
        Assert.Equal(MigrationPhase.DualWriteReadSource, route.Phase);
        Assert.Equal(("kafka-a", "payments.v1", 12), (route.Source.Cluster, route.Source.Name, route.Source.Partitions));
        Assert.Equal(("ng", "payments", 3), (route.Target!.Cluster, route.Target.Name, route.Target.Partitions));
        Assert.Equal([route.Source, route.Target], route.WriteTo);
        Assert.Equal(route.Source, route.ReadFrom);
    }

    [Theory]
    [InlineData("SourceOnly", new[] { "old" }, "old")]
    [InlineData("DualWriteReadSource", new[] { "old", "new" }, "old")]
    [InlineData("DualWriteReadTarget", new[] { "old", "new" }, "new")]
    [InlineData("TargetOnly", new[] { "new" }, "new")]
    public async Task Route_Phase_DecidesWhereToWriteAndRead(string phase, string[] writes, string reads)
    {
        await using var host = TestHost.FromJson(TestHost.Migrating(phase));
        var route = host.Configuration.Current.Route("orders");
        Assert.Equal(writes, route.WriteTo.Select(t => t.Cluster));
        Assert.Equal(reads, route.ReadFrom.Cluster);
    }

    [Fact]
    public async Task SecurityProfile_ToString_NeverShowsThePassword()
    {
        var profile = new SecurityProfileOptions { SaslMechanism = "PLAIN", Username = "svc", Password = "hunter2" };
        Assert.DoesNotContain("hunter2", profile.ToString(), StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Route_UnknownTopic_ListsConfiguredTopics()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        var error = Assert.Throws<UnknownTopicException>(() => host.Client.CreateProducer<string, string>("invoices"));
        Assert.Equal("invoices", error.Topic);
        Assert.Contains("configured topics: orders", error.Message, StringComparison.Ordinal);
    }
}
