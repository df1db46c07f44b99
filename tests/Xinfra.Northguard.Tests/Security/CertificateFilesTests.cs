using Microsoft.Extensions.Time.Testing;
using Xinfra.Northguard.Security;

namespace Xinfra.Northguard.Tests.Security;

public sealed class CertificateFilesTests
{
    [Fact]
    public void Watch_FilesReplaced_ReloadsAtTheNextCheck_HalfWrittenFilesKeepThePreviousCertificate()
    {
        using var certificates = new TestCertificates();
        var time = new FakeTimeProvider();
        var failures = new List<Exception>();
        using var watched = CertificateFiles.Watch(certificates.BrokerCertificateFile, certificates.BrokerKeyFile, null, TimeSpan.FromSeconds(5), time, failures.Add);
        string first = watched.Current.Thumbprint;

        string second = certificates.IssueLeaf("broker", certificates.BrokerCertificateFile, certificates.BrokerKeyFile);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(first, watched.Current.Thumbprint);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(second, watched.Current.Thumbprint);
        Assert.Equal(1, watched.Reloads);

        File.WriteAllText(certificates.BrokerCertificateFile, "-----BEGIN CERTIFICATE-----\nnot a certificate\n");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(second, watched.Current.Thumbprint);
        Assert.NotEmpty(failures);
    }

    [Fact]
    public void ForClient_MissingCaFile_ConfigurationErrorNamingFieldAndFile()
    {
        var security = new NorthguardClientSecurity { Tls = true, CaCertificateFile = "/nonexistent/xinfra-ca.pem" };

        var error = Assert.Throws<XinfraConfigurationException>(() => ChannelSecurity.ForClient(security));

        Assert.Equal("CaCertificateFile", error.Field);
        Assert.Contains("/nonexistent/xinfra-ca.pem", error.Message, StringComparison.Ordinal);
    }
}
