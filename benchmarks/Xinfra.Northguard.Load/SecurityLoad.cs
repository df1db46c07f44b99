using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Security;

/// <summary>
/// Produce throughput and latency with security off, with tokens + ACLs enforced, and with TLS + tokens + ACLs
/// (3 brokers RF=3, 1024 B records). Certificates (a CA and a leaf for 127.0.0.1) are generated into the temp folder.
/// </summary>
internal static class SecurityLoad
{
    private const string ClusterToken = "load-cluster-token-not-secret";

    public enum Mode
    {
        Off,
        Acl,
        TlsAcl,
    }

    public static async Task RunAsync(string[] args)
    {
        double seconds = double.Parse(args[0], CultureInfo.InvariantCulture);
        Load.StoreOptions = Xinfra.Northguard.Storage.FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.FromMilliseconds(double.Parse(args[1], CultureInfo.InvariantCulture)) };
        var root = Directory.CreateTempSubdirectory("ng-load-sec-").FullName;
        var rows = new List<string>();
        try
        {
            string certificates = Path.Combine(root, "certs");
            WriteCertificates(certificates);
            foreach (var mode in new[] { Mode.Off, Mode.Acl, Mode.TlsAcl, Mode.Off, Mode.Acl, Mode.TlsAcl })
            {
                var r = await Load.ClusterAsync(Path.Combine(root, $"{mode}-{rows.Count}"), 3, 3, 1024, TimeSpan.FromSeconds(seconds), measureLatency: true, mode, certificates);
                rows.Add($"| {mode} | {r.Rate:N0} rec/s | {r.Rate * 1024 / 1e6:F1} MB/s | p50 {r.P50:F2} / p99 {r.P99:F2} ms at {r.Rate / 2:N0} rec/s | {r.ConsumeRate:N0} rec/s |");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        Console.WriteLine($"Northguard security overhead, 3 brokers RF=3, 1024 B, {args[0]} s per run, {Environment.ProcessorCount} cores");
        Console.WriteLine("| security | produce | MB/s | latency at 50% | consume |");
        Console.WriteLine("|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
    }

    public static BrokerSecurityOptions? Broker(Mode mode, string? certificates) => mode switch
    {
        Mode.Off => null,
        Mode.Acl => new BrokerSecurityOptions { ClusterToken = ClusterToken },
        _ => new BrokerSecurityOptions
        {
            ClusterToken = ClusterToken,
            Tls = new NorthguardTlsOptions
            {
                CertificateFile = Path.Combine(certificates!, "broker.pem"),
                KeyFile = Path.Combine(certificates!, "broker.key"),
                CaCertificateFile = Path.Combine(certificates!, "ca.pem"),
            },
        },
    };

    public static async Task<NorthguardClientSecurity?> OnboardAsync(Mode mode, string? certificates, NorthguardClientOptions options, string topic)
    {
        if (mode == Mode.Off)
        {
            return null;
        }

        var security = new NorthguardClientSecurity { Tls = mode == Mode.TlsAcl, CaCertificateFile = mode == Mode.TlsAcl ? Path.Combine(certificates!, "ca.pem") : null };
        using var admin = new NorthguardAdminClient(options with { Security = security with { Token = ClusterToken } });
        var token = await admin.IssueTokenAsync("load-app");
        await admin.SetAclAsync(topic, "load-app", AclOperations.Produce | AclOperations.Consume);
        return security with { Token = token.Token };
    }

    private static void WriteCertificates(string folder)
    {
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Load CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(2));
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=broker", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var leaf = request.Create(ca, now.AddDays(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(folder, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "broker.pem"), leaf.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "broker.key"), key.ExportPkcs8PrivateKeyPem());
    }
}
