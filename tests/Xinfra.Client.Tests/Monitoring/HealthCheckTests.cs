using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Monitoring;

[Collection(nameof(FlakyTransportFactory))]
public sealed class HealthCheckTests
{
    private static async Task<HealthReport> CheckAsync(TestHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    [Fact]
    public async Task AllClustersAnswer_Healthy_WithPhasePerTopic()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"), b => b.Services.AddHealthChecks().AddXinfra());
        var report = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        var entry = report.Entries["xinfra"];
        Assert.Equal("reachable", entry.Data["cluster:old"]);
        Assert.Equal("DualWriteReadSource", entry.Data["topic:orders"]);
    }

    [Fact]
    public async Task RefusedConfigurationChange_Degraded()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic, b => b.Services.AddHealthChecks().AddXinfra());
        Assert.False(host.Configuration.TryApply(new XinfraOptions { Topics = { ["orders"] = new TopicOptions() } }, out _));
        var report = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("Xinfra:Topics:orders", (string)report.Entries["xinfra"].Data["config"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableCluster_Unhealthy_NamingClusterAndAffectedTopic()
    {
        var json = TestHost.Migrating("DualWriteReadTarget").Replace("\"Kind\": \"InMemory\", \"Bootstrap\": \"new-1\"", "\"Kind\": \"Northguard\", \"Bootstrap\": \"new-1\"", StringComparison.Ordinal);
        await using var host = TestHost.FromJson(json, b => b.AddTransport<FlakyTransportFactory>().Services.AddHealthChecks().AddXinfra());
        FlakyTransportFactory.Failing = true;
        try
        {
            var report = await CheckAsync(host);
            Assert.Equal(HealthStatus.Unhealthy, report.Status);
            var entry = report.Entries["xinfra"];
            Assert.Contains("new", entry.Description, StringComparison.Ordinal);
            Assert.Equal("reachable", entry.Data["cluster:old"]);
            Assert.Contains("unreachable", (string)entry.Data["cluster:new"], StringComparison.Ordinal);
            Assert.Equal("DualWriteReadTarget; unreachable: new", entry.Data["topic:orders"]);
        }
        finally
        {
            FlakyTransportFactory.Failing = false;
        }
    }
}
