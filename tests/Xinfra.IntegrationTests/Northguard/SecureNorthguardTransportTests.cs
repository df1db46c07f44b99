using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Security;
using Xinfra.Northguard.Tests.Security;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary>The Xinfra client's Northguard transport against a cluster with TLS, tokens and ACLs, configured through a security profile.</summary>
public sealed class SecureNorthguardTransportTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new();
    private readonly string _clusterToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
    private NorthguardCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await NorthguardCluster.StartEmbeddedAsync(new NorthguardClusterOptions
    {
        Brokers = 3,
        Security = new BrokerSecurityOptions
        {
            Tls = new NorthguardTlsOptions { CertificateFile = _certificates.BrokerCertificateFile, KeyFile = _certificates.BrokerKeyFile, CaCertificateFile = _certificates.CaFile },
            ClusterToken = _clusterToken,
            CacheTtl = TimeSpan.FromMilliseconds(300),
        },
    });

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task SecurityProfile_TlsAndTokenFile_ProducesAndConsumes_ProduceWithoutAclIsATypedError()
    {
        string allowed = $"sec-{Guid.NewGuid():N}"[..20];
        string forbidden = $"nop-{Guid.NewGuid():N}"[..20];
        var admin = new NorthguardClientSecurity { Tls = true, CaCertificateFile = _certificates.CaFile, Token = _clusterToken };
        using (var metadata = new NorthguardMetadataClient(new NorthguardMetadataClientOptions { Bootstrap = [.. _cluster.Brokers.Select(b => b.Endpoint)], Security = admin }))
        {
            await metadata.CreateTopicAsync(allowed, StoragePolicy.Default, 2);
            await metadata.CreateTopicAsync(forbidden, StoragePolicy.Default, 1);
        }

        string tokenFile = Path.Combine(_certificates.Folder, "app.token");
        using (var adminClient = new NorthguardAdminClient(new NorthguardClientOptions { Endpoints = [.. _cluster.Brokers.Select(b => b.Endpoint)], Security = admin }))
        {
            var token = await adminClient.IssueTokenAsync("ng-secure-app");
            await adminClient.SetAclAsync(allowed, "ng-secure-app", AclOperations.Produce | AclOperations.Consume);
            await adminClient.SetAclAsync(forbidden, "ng-secure-app", AclOperations.Consume);
            await File.WriteAllTextAsync(tokenFile, token.Token);
        }

        var json = $$"""
            { "Xinfra": {
                "ApplicationId": "ng-secure-app",
                "SecurityProfiles": { "secure": { "Tls": true, "CaCertificateFile": "{{_certificates.CaFile}}", "TokenFile": "{{tokenFile}}" } },
                "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "{{_cluster.Bootstrap}}", "SecurityProfile": "secure" } },
                "Topics": {
                  "orders": { "Cluster": "ng", "Topic": "{{allowed}}" },
                  "secrets": { "Cluster": "ng", "Topic": "{{forbidden}}" } } } }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddXinfra(configuration.GetSection("Xinfra")).AddNorthguard();
        await using var provider = services.BuildServiceProvider();
        var xinfra = provider.GetRequiredService<IXinfraClient>();

        await using (var producer = xinfra.CreateProducer<string, string>("orders"))
        {
            for (int i = 0; i < 20; i++)
            {
                await producer.ProduceAsync($"k{i}", $"v{i}");
            }
        }

        await using (var consumer = xinfra.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "secure-group" }))
        {
            var values = new HashSet<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await foreach (var result in consumer.ConsumeAsync(timeout.Token))
            {
                values.Add(result.Value!);
                if (values.Count == 20)
                {
                    break;
                }
            }

            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"v{i}").Order(), values.Order());
        }

        await using var denied = xinfra.CreateProducer<string, string>("secrets");
        var error = await Assert.ThrowsAsync<AuthorizationException>(() => denied.ProduceAsync("k", "v").AsTask());
        Assert.Equal("secrets", error.Topic);
        Assert.Equal("ng", error.Cluster);
        Assert.Equal("ng-secure-app", error.Principal);
        Assert.Equal("Produce", error.Operation);
    }
}
