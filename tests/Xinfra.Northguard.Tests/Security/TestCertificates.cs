using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Xinfra.Northguard.Tests.Security;

/// <summary>
/// A test CA and leaf certificates for 127.0.0.1/localhost, generated at run time into a temp folder that is deleted
/// on dispose. <see cref="IssueLeaf"/> writes a new leaf (rotation) over the broker files.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;

    public TestCertificates()
    {
        Folder = Directory.CreateTempSubdirectory("xinfra-tls-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Xinfra Test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        _ca = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());
        IssueLeaf("broker", BrokerCertificateFile, BrokerKeyFile);
        IssueLeaf("app-client", ClientCertificateFile, ClientKeyFile);
    }

    public string Folder { get; }

    public string CaFile => Path.Combine(Folder, "ca.pem");

    public string BrokerCertificateFile => Path.Combine(Folder, "broker.pem");

    public string BrokerKeyFile => Path.Combine(Folder, "broker.key");

    public string ClientCertificateFile => Path.Combine(Folder, "client.pem");

    public string ClientKeyFile => Path.Combine(Folder, "client.key");

    /// <summary>Writes a new CA-signed leaf (server and client auth, SAN 127.0.0.1 and localhost); returns its thumbprint.</summary>
    public string IssueLeaf(string commonName, string certificateFile, string keyFile)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var leaf = request.Create(_ca, now.AddDays(-1), now.AddDays(10), serial);

        // Each file is replaced atomically; the broker may briefly see a new key with the old certificate, which fails
        // to load and is retried at its next check.
        Replace(keyFile, key.ExportPkcs8PrivateKeyPem());
        Replace(certificateFile, leaf.ExportCertificatePem());
        return leaf.Thumbprint;
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private void Replace(string path, string content)
    {
        string temp = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
