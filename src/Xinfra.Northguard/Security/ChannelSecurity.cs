using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Xinfra.Northguard.Security;

/// <summary>
/// Creates the gRPC channels of a client or of a broker talking to other brokers: plaintext, or TLS that trusts a
/// custom CA and presents a client certificate (both reloaded when their files change), with the token added to
/// every call. <see cref="Plaintext"/> creates exactly the channels Northguard used before security existed.
/// </summary>
public sealed class ChannelSecurity : IDisposable
{
    private readonly ReloadingFile<X509Certificate2Collection>? _trust;
    private readonly ReloadingFile<X509Certificate2>? _clientCertificate;
    private readonly TokenSource? _token;
    private readonly bool _ownsFiles;

    private ChannelSecurity(bool tls, ReloadingFile<X509Certificate2Collection>? trust, ReloadingFile<X509Certificate2>? clientCertificate, TokenSource? token, bool ownsFiles)
    {
        Tls = tls;
        _trust = trust;
        _clientCertificate = clientCertificate;
        _token = token;
        _ownsFiles = ownsFiles;
    }

    /// <summary>Plaintext channels with no token.</summary>
    public static ChannelSecurity Plaintext { get; } = new(false, null, null, null, false);

    /// <summary>True when channels use TLS.</summary>
    public bool Tls { get; }

    /// <summary><c>https</c> with TLS, else <c>http</c>.</summary>
    public string Scheme => Tls ? "https" : "http";

    /// <summary>Channels for a client: null security is <see cref="Plaintext"/>.</summary>
    public static ChannelSecurity ForClient(NorthguardClientSecurity? security)
    {
        if (security is null)
        {
            return Plaintext;
        }

        var trust = security.Tls && security.CaCertificateFile is { } ca
            ? CertificateFiles.WatchCa(ca, security.ReloadInterval, security.TimeProvider, null)
            : null;
        var certificate = security.Tls && security.ClientCertificateFile is { } file
            ? CertificateFiles.Watch(file, security.ClientKeyFile, null, security.ReloadInterval, security.TimeProvider, null)
            : null;
        return new ChannelSecurity(security.Tls, trust, certificate, TokenSource.Create(security.Token, security.TokenFile), ownsFiles: true);
    }

    /// <summary>Channels from a broker to other brokers: its CA, its own certificate (for mutual TLS) and the cluster token.</summary>
    internal static ChannelSecurity ForBroker(bool tls, ReloadingFile<X509Certificate2Collection>? trust, ReloadingFile<X509Certificate2>? certificate, string? clusterToken) =>
        new(tls, trust, certificate, TokenSource.Create(clusterToken, null), ownsFiles: false);

    /// <summary><paramref name="endpoint"/> with a scheme: <c>host:port</c> gets <see cref="Scheme"/>.</summary>
    public string Address(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        return endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : Scheme + "://" + endpoint;
    }

    /// <summary>A channel to <paramref name="endpoint"/>.</summary>
    public GrpcChannel CreateChannel(string endpoint, int? maxReceiveMessageSize = 64 << 20)
    {
        string address = Address(endpoint);
        if (!Tls && _token is null)
        {
            return GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = maxReceiveMessageSize });
        }

        var sockets = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (Tls)
        {
            sockets.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => CertificateFiles.Validate(_trust?.Current, certificate, errors, checkName: true),
                LocalCertificateSelectionCallback = _clientCertificate is null ? null : (_, _, _, _, _) => _clientCertificate.Current,
            };
        }

        HttpMessageHandler handler = _token is null ? sockets : new BearerTokenHandler(_token, sockets);
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true, MaxReceiveMessageSize = maxReceiveMessageSize });
    }

    /// <summary>Stops watching the certificate files (of a client's own security).</summary>
    public void Dispose()
    {
        if (_ownsFiles)
        {
            _trust?.Dispose();
            _clientCertificate?.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"Tls={Tls}, ClientCertificate={_clientCertificate is not null}, Token={(_token is null ? "none" : "***")}";
}
