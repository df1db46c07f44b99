namespace Xinfra;

/// <summary>How a client authenticates to a cluster, bound from <c>Xinfra:SecurityProfiles:&lt;name&gt;</c>.</summary>
public sealed class SecurityProfileOptions
{
    /// <summary>Use TLS. <value>The default is false.</value></summary>
    public bool Tls { get; set; }

    /// <summary>A PEM file with the CA certificates that sign the brokers' certificates; null trusts the system store.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>A PEM file with this client's certificate, for mutual TLS.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>A PEM file with this client's private key, for mutual TLS.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>The SASL mechanism for Kafka (<c>PLAIN</c>, <c>SCRAM-SHA-256</c>, <c>SCRAM-SHA-512</c>, <c>OAUTHBEARER</c>), or null.</summary>
    public string? SaslMechanism { get; set; }

    /// <summary>The SASL user name, for PLAIN and SCRAM.</summary>
    public string? Username { get; set; }

    /// <summary>The SASL password. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>A file holding this application's token (re-read when it changes). Never logged.</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// This application's token itself (Northguard application token, or a Kafka OAUTHBEARER token); prefer
    /// <see cref="TokenFile"/> or a secret store. Never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Tls={Tls}, Sasl={SaslMechanism ?? "none"}, Username={Username ?? "-"}, Password={(Password is null ? "-" : "***")}, " +
        $"Token={(Token is null ? "-" : "***")}, TokenFile={TokenFile ?? "-"}";
}
