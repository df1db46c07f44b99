using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>
/// The metadata layer as a broker module: hosts this broker's vnode Raft groups (WAL under
/// <c>&lt;data&gt;/metadata</c>, resumed from it after a restart), serves the <c>RaftTransport</c> and
/// <c>Metadata</c> and <c>ConfigService</c> gRPC services, and registers <see cref="IMetadataService"/> (proxying to vnode leaders),
/// <see cref="LocalMetadataService"/>, <see cref="IBrokerDirectory"/> and <see cref="MetadataHost"/>.
/// Membership is static: <see cref="MetadataModuleOptions.Membership"/>.
/// </summary>
public sealed class MetadataModule : IBrokerModule
{
    private readonly MetadataModuleOptions _options;
    private MetadataHost? _host;

    /// <summary>Creates the module; one instance per broker.</summary>
    public MetadataModule(MetadataModuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _options = options;
    }

    /// <inheritdoc />
    public string Name => "metadata";

    /// <summary>
    /// A <c>NorthguardClusterOptions.Modules</c> factory: every broker of a <paramref name="brokers"/>-broker cluster
    /// runs a metadata module sharing one <see cref="MetadataMembership"/> (plus the modules of <paramref name="others"/>).
    /// </summary>
    public static Func<NorthguardBrokerOptions, IReadOnlyList<IBrokerModule>> ForCluster(int brokers,
        Func<MetadataMembership, MetadataModuleOptions>? configure = null,
        Func<NorthguardBrokerOptions, IReadOnlyList<IBrokerModule>>? others = null)
    {
        var membership = MetadataMembership.Sequential(brokers);
        var options = configure?.Invoke(membership) ?? new MetadataModuleOptions { Membership = membership };
        return broker => [new MetadataModule(options), .. others?.Invoke(broker) ?? []];
    }

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, BrokerContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);
        var host = _host = new MetadataHost(context, _options);
        var local = new LocalMetadataService(host);
        var proxying = new ProxyingMetadataService(local, host.Directory, context.Channels);
        services.AddSingleton(host);
        services.AddSingleton(local);
        services.AddSingleton(proxying);
        services.AddSingleton<IMetadataService>(proxying);
        services.AddSingleton<IBrokerDirectory>(host.Directory);
        services.AddSingleton<DataPath.IBrokerDirectory>(host.Directory);
        services.TryAddSingleton(_options.ConfigService);
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<RaftTransportService>();
        endpoints.MapGrpcService<MetadataGrpcService>();
        endpoints.MapGrpcService<ConfigService.ConfigGrpcService>();
    }

    /// <inheritdoc />
    public Task StartAsync(IServiceProvider services, BrokerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        _host!.Start(services.GetRequiredService<ILoggerFactory>());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        services?.GetService<ProxyingMetadataService>()?.Dispose();
    }
}
