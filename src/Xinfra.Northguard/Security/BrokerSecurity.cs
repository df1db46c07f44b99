using System.Security.Cryptography.X509Certificates;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Security;

/// <summary>
/// The security of one running broker: the reloading listener certificate and CA, the channels it opens to other
/// brokers (TLS, its own certificate for mutual TLS, the cluster token), and the authorization interceptor.
/// Created by the broker from <see cref="BrokerSecurityOptions"/>; disposed when it stops.
/// </summary>
public sealed class BrokerSecurity : IDisposable
{
    private readonly ReloadingFile<X509Certificate2>? _certificate;
    private readonly ReloadingFile<X509Certificate2Collection>? _trust;

    internal BrokerSecurity(BrokerSecurityOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.EnforceAcls && string.IsNullOrEmpty(options.ClusterToken))
        {
            throw new ArgumentException("BrokerSecurityOptions.ClusterToken is required when EnforceAcls is on: brokers authenticate to each other with it.", nameof(options));
        }

        Options = options;
        var logger = loggers.CreateLogger("Xinfra.Northguard.Security");
        if (options.Tls is { } tls)
        {
            void Failed(Exception e) => SecurityLog.ReloadFailed(logger, e.GetType().Name + ": " + e.Message);
            _certificate = CertificateFiles.Watch(tls.CertificateFile, tls.KeyFile, tls.CertificatePassword, tls.ReloadInterval, time, Failed);
            _certificate.Reloaded += c => SecurityLog.CertificateReloaded(logger, tls.CertificateFile, c.Thumbprint);
            _trust = tls.CaCertificateFile is { } ca ? CertificateFiles.WatchCa(ca, tls.ReloadInterval, time, Failed) : null;
        }

        Channels = ChannelSecurity.ForBroker(options.Tls is not null, _trust, options.Tls?.RequireClientCertificate == true ? _certificate : null, options.EnforceAcls ? options.ClusterToken : null);
    }

    /// <summary>The options.</summary>
    public BrokerSecurityOptions Options { get; }

    /// <summary>The channels this broker opens to other brokers.</summary>
    public ChannelSecurity Channels { get; }

    /// <summary>The certificate the listener presents now (null without TLS).</summary>
    public X509Certificate2? ServerCertificate => _certificate?.Current;

    /// <summary>Checks the certificate files now instead of at the next interval; true when a new certificate loaded.</summary>
    public bool ReloadCertificates() => (_certificate?.Check() ?? false) | (_trust?.Check() ?? false);

    /// <summary>Adds TLS (when configured) to a listener.</summary>
    internal void ConfigureListener(ListenOptions listen)
    {
        if (Options.Tls is not { } tls)
        {
            return;
        }

        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => _certificate!.Current,
            ClientCertificateMode = tls.RequireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
            ClientCertificateValidation = (certificate, _, errors) => CertificateFiles.Validate(_trust?.Current, certificate, errors, checkName: false),
        });
    }

    /// <summary>Registers the admin service's dependencies, and the interceptor when <paramref name="security"/> enforces ACLs.</summary>
    internal static void AddServices(IServiceCollection services, BrokerSecurity? security)
    {
        var options = security?.Options ?? new BrokerSecurityOptions { EnforceAcls = false };
        services.AddSingleton(sp => new SecurityGate(options, () => sp.GetRequiredService<IMetadataService>(), sp.GetRequiredService<TimeProvider>()));
        if (options.EnforceAcls)
        {
            services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<SecurityInterceptor>());
        }
    }

    /// <summary>Maps the <c>SecurityAdmin</c> service.</summary>
    internal static void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<SecurityAdminService>();

    /// <summary>Stops watching the certificate files.</summary>
    public void Dispose()
    {
        _certificate?.Dispose();
        _trust?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Options.ToString();
}
