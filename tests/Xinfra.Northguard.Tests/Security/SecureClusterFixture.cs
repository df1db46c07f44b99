using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Security;

namespace Xinfra.Northguard.Tests.Security;

/// <summary>
/// One embedded 3-broker cluster with TLS on every listener and broker channel (run-time test CA), tokens and ACLs
/// enforced, a 300 ms security cache and a 200 ms certificate reload check; broker logs are captured.
/// </summary>
public sealed class SecureClusterFixture : IAsyncLifetime
{
    internal TestCertificates Certificates { get; } = new();

    internal CapturingLoggerProvider Logs { get; } = new();

    internal string ClusterToken { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    private ILoggerFactory? _loggers;

    public NorthguardCluster Cluster { get; private set; } = null!;

    internal BrokerSecurityOptions SecurityOptions => new()
    {
        Tls = new NorthguardTlsOptions
        {
            CertificateFile = Certificates.BrokerCertificateFile,
            KeyFile = Certificates.BrokerKeyFile,
            CaCertificateFile = Certificates.CaFile,
            ReloadInterval = TimeSpan.FromMilliseconds(200),
        },
        ClusterToken = ClusterToken,
        CacheTtl = TimeSpan.FromMilliseconds(300),
    };

    public async Task InitializeAsync()
    {
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Cluster = await NorthguardCluster.StartEmbeddedAsync(
            new NorthguardClusterOptions { Brokers = 3, Security = SecurityOptions, LoggerFactory = _loggers },
            DataPathOptions.Default with { Store = new Xinfra.Northguard.Storage.FpsStoreOptions { GroupCommitWindow = TimeSpan.FromMilliseconds(1) } });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _loggers?.Dispose();
        Certificates.Dispose();
    }

    internal NorthguardClientSecurity ClientSecurity(string? token) => new() { Tls = true, CaCertificateFile = Certificates.CaFile, Token = token };

    internal NorthguardClientOptions ClientOptions(string? token, int maxRetries = 100) => new()
    {
        Endpoints = [.. Cluster.Brokers.Select(b => b.Endpoint)],
        Security = ClientSecurity(token),
        MaxRetries = maxRetries,
    };

    internal NorthguardAdminClient Admin() => new(ClientOptions(ClusterToken));

    internal async Task<string> CreateTopicAsync(string prefix)
    {
        string topic = $"{prefix}-{Guid.NewGuid():N}"[..24];
        using var metadata = new NorthguardMetadataClient(new NorthguardMetadataClientOptions
        {
            Bootstrap = [.. Cluster.Brokers.Select(b => b.Endpoint)],
            Security = ClientSecurity(ClusterToken),
        });
        await metadata.CreateTopicAsync(topic, StoragePolicy.Default, 1);
        return topic;
    }

    /// <summary>Issues a token for <paramref name="application"/> with <paramref name="operations"/> on <paramref name="topic"/>.</summary>
    internal async Task<IssuedToken> OnboardAsync(string application, string topic, AclOperations operations)
    {
        using var admin = Admin();
        var token = await admin.IssueTokenAsync(application);
        if (operations != AclOperations.None)
        {
            await admin.SetAclAsync(topic, application, operations);
        }

        return token;
    }
}
