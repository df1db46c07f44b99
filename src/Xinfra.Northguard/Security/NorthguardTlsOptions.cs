namespace Xinfra.Northguard.Security;

/// <summary>
/// TLS for a broker listener: its certificate (PEM certificate + key, or a PKCS#12 file) and the CA that signs the
/// peers' certificates. The files are polled and reloaded when they change, without a restart.
/// </summary>
public sealed record NorthguardTlsOptions
{
    /// <summary>The broker's certificate: a PEM file (with <see cref="KeyFile"/>) or a <c>.pfx</c>/<c>.p12</c> file. Required.</summary>
    public required string CertificateFile { get; init; }

    /// <summary>The PEM private key of <see cref="CertificateFile"/>; null when the certificate file holds the key (PFX, or PEM with both).</summary>
    public string? KeyFile { get; init; }

    /// <summary>The password of a PFX file, or null. Never logged.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>
    /// A PEM file with the CA certificates that sign the brokers' (and, with mutual TLS, the clients') certificates;
    /// null trusts the system store.
    /// </summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>Require clients to present a certificate signed by the CA (mutual TLS). <value>The default is false.</value></summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>How often the files are checked for a change. <value>The default is 5 s.</value></summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public override string ToString() =>
        $"CertificateFile={CertificateFile}, KeyFile={KeyFile ?? "-"}, CertificatePassword={(CertificatePassword is null ? "-" : "***")}, " +
        $"CaCertificateFile={CaCertificateFile ?? "-"}, RequireClientCertificate={RequireClientCertificate}, ReloadInterval={ReloadInterval}";
}
