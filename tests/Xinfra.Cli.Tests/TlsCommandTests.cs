using System.Security.Cryptography;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Security;
using Xinfra.Northguard.Tests.Security;

namespace Xinfra.Cli.Tests;

/// <summary>A one-broker embedded cluster with TLS (run-time test CA) and tokens enforced.</summary>
public sealed class TlsClusterFixture : IAsyncLifetime
{
    internal TestCertificates Certificates { get; } = new();

    public string ClusterToken { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public NorthguardCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await NorthguardCluster.StartEmbeddedAsync(new NorthguardClusterOptions
    {
        Brokers = 1,
        Security = new BrokerSecurityOptions
        {
            Tls = new NorthguardTlsOptions { CertificateFile = Certificates.BrokerCertificateFile, KeyFile = Certificates.BrokerKeyFile, CaCertificateFile = Certificates.CaFile },
            ClusterToken = ClusterToken,
            CacheTtl = TimeSpan.FromMilliseconds(300),
        },
    });

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Certificates.Dispose();
    }
}

public sealed class TlsCommandTests(TlsClusterFixture fixture) : IClassFixture<TlsClusterFixture>
{
    [Fact]
    public async Task CaFileAndToken_CommandsWorkOverTls()
    {
        string[] secure = ["-b", fixture.Cluster.Bootstrap, "--ca-file", fixture.Certificates.CaFile, "--token", fixture.ClusterToken];
        string topic = $"tls-{Guid.NewGuid():N}"[..16];

        var create = await Cli.RunAsync(["topics", "create", topic, "-r", "1", "--retention", "1h", "--throughput-mbps", "0.001", .. secure]);
        Assert.True(create.ExitCode == 0, create.ToString());

        var brokers = await Cli.RunAsync(["brokers", "list", "--json", .. secure]);
        Assert.True(brokers.ExitCode == 0, brokers.ToString());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, Assert.Single(brokers.Json().EnumerateArray()).GetProperty("storage").ValueKind);

        var grant = await Cli.RunAsync(["acl", "grant", topic, "app-tls", "Consume", .. secure]);
        Assert.True(grant.ExitCode == 0, grant.ToString());
        var list = await Cli.RunAsync(["acl", "list", topic, "--json", .. secure]);
        Assert.Equal("app-tls", Assert.Single(list.Json().EnumerateArray()).GetProperty("principal").GetString());
        Assert.DoesNotContain(fixture.ClusterToken, create.Out + create.Error + brokers.Out + list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTls_TheTlsListenerRefuses()
    {
        var plain = await Cli.RunAsync("topics", "list", "-b", fixture.Cluster.Bootstrap, "--token", fixture.ClusterToken, "--timeout", "5");
        Assert.True(plain.ExitCode == 2, plain.ToString());
        Assert.DoesNotContain(fixture.ClusterToken, plain.Out + plain.Error, StringComparison.Ordinal);
    }
}
