using System.Security.Cryptography;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Security;
using static Xinfra.Northguard.Tests.Security.SecurityTestKit;

namespace Xinfra.Northguard.Tests.Security;

public sealed class MutualTlsTests
{
    [Fact]
    public async Task MutualTls_BrokersReplicateOverMutualTls_ClientCertificateSubjectIsThePrincipal_ClientWithoutCertificateIsRefused()
    {
        using var certificates = new TestCertificates();
        string clusterToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(new NorthguardClusterOptions
        {
            Brokers = 3,
            Security = new BrokerSecurityOptions
            {
                Tls = new NorthguardTlsOptions
                {
                    CertificateFile = certificates.BrokerCertificateFile,
                    KeyFile = certificates.BrokerKeyFile,
                    CaCertificateFile = certificates.CaFile,
                    RequireClientCertificate = true,
                },
                ClusterToken = clusterToken,
            },
        });
        string[] endpoints = [.. cluster.Brokers.Select(b => b.Endpoint)];
        NorthguardClientSecurity WithCertificate(string? token) => new()
        {
            Tls = true,
            CaCertificateFile = certificates.CaFile,
            ClientCertificateFile = certificates.ClientCertificateFile,
            ClientKeyFile = certificates.ClientKeyFile,
            Token = token,
        };

        using (var metadata = new NorthguardMetadataClient(new NorthguardMetadataClientOptions { Bootstrap = endpoints, Security = WithCertificate(clusterToken) }))
        {
            await metadata.CreateTopicAsync("mtls", StoragePolicy.Default, 1);
        }

        using (var admin = new NorthguardAdminClient(new NorthguardClientOptions { Endpoints = endpoints, Security = WithCertificate(clusterToken) }))
        {
            await admin.SetAclAsync("mtls", "CN=app-client", AclOperations.Produce);
        }

        await using (var producer = new NorthguardProducerClient(new NorthguardClientOptions { Endpoints = endpoints, Security = WithCertificate(null) }))
        {
            var receipt = await producer.ProduceAsync("mtls", Record("by-certificate"));
            Assert.Equal(0, receipt.Offset);
        }

        var noCertificate = new NorthguardClientOptions
        {
            Endpoints = endpoints,
            Security = new NorthguardClientSecurity { Tls = true, CaCertificateFile = certificates.CaFile, Token = clusterToken },
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        };
        await using var refused = new NorthguardProducerClient(noCertificate);
        var error = await Assert.ThrowsAnyAsync<XinfraException>(() => refused.ProduceAsync("mtls", Record("no-certificate")).AsTask());
        Assert.IsNotType<AuthorizationException>(error);
    }
}
