using Microsoft.Extensions.Configuration;
using Xinfra.Northguard.ConfigService.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Tests.Security;

/// <summary>The config service on brokers with TLS and tokens: the platform team publishes, applications read.</summary>
public sealed class SecureConfigServiceTests(SecureClusterFixture secure) : IClassFixture<SecureClusterFixture>
{
    private const string Document = """
        { "ApplicationId": "secure-config-app",
          "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "local" } },
          "Topics": { "orders": { "Cluster": "mem", "Topic": "orders" } } }
        """;

    [Fact]
    public async Task OverTlsWithTokens_AdminPublishes_ApplicationFetches_ApplicationCannotPublish()
    {
        string name = $"secure-{Guid.NewGuid():N}"[..20];
        string endpoint = secure.Cluster.Brokers[0].Endpoint;
        using (var admin = new XinfraConfigAdminClient(endpoint, security: secure.ClientSecurity(secure.ClusterToken)))
        {
            await admin.PublishAsync(name, Document, expectedVersion: 0);
        }

        var topic = await secure.CreateTopicAsync("cfg");
        var app = await secure.OnboardAsync("cfg-reader", topic, AclOperations.Consume);
        var folder = Directory.CreateTempSubdirectory("xinfra-secure-config-").FullName;
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddXinfraConfigService(o =>
                {
                    o.Endpoints = [endpoint];
                    o.Document = name;
                    o.CachePath = Path.Combine(folder, "cache.json");
                    o.Security = secure.ClientSecurity(app.Token);
                })
                .Build();
            Assert.Equal("secure-config-app", configuration["Xinfra:ApplicationId"]);
            (configuration as IDisposable)?.Dispose();

            using var appAdmin = new XinfraConfigAdminClient(endpoint, security: secure.ClientSecurity(app.Token));
            var denied = await Assert.ThrowsAsync<AuthorizationException>(() => appAdmin.PublishAsync(name, Document.Replace("secure-config-app", "hijacked", StringComparison.Ordinal)));
            Assert.Contains("cluster-admin", denied.Message, StringComparison.Ordinal);
            using var reader = new XinfraConfigAdminClient(endpoint, security: secure.ClientSecurity(secure.ClusterToken));
            Assert.Equal(1, (await reader.GetAsync(name))!.Version);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
