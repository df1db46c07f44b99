namespace Xinfra.Northguard.Security;

/// <summary>How a Northguard client secures its channels: TLS trust, an optional client certificate, and a token.</summary>
public sealed record NorthguardClientSecurity
{
    /// <summary>Use TLS (<c>https</c>) for endpoints given without a scheme. <value>The default is false.</value></summary>
    public bool Tls { get; init; }

    /// <summary>A PEM file with the CA certificates that sign the brokers' certificates; null trusts the system store.</summary>
    public string? CaCertificateFile { get; init; }

    /// <summary>A PEM (with <see cref="ClientKeyFile"/>) or PFX client certificate, for mutual TLS; null sends none.</summary>
    public string? ClientCertificateFile { get; init; }

    /// <summary>The PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; init; }

    /// <summary>The application token sent as <c>authorization: Bearer …</c>. Never logged.</summary>
    public string? Token { get; init; }

    /// <summary>A file holding the token (re-read when it changes); used when <see cref="Token"/> is null.</summary>
    public string? TokenFile { get; init; }

    /// <summary>How often certificate files are checked for a change. <value>The default is 5 s.</value></summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock that drives the reload checks. <value>The default is the system clock.</value></summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <inheritdoc />
    public override string ToString() =>
        $"Tls={Tls}, CaCertificateFile={CaCertificateFile ?? "-"}, ClientCertificateFile={ClientCertificateFile ?? "-"}, " +
        $"Token={(Token is null ? "-" : "***")}, TokenFile={TokenFile ?? "-"}";
}
