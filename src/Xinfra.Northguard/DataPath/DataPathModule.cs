using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The broker's data path: opens the fps-store in the broker's data folder and serves the <c>Northguard</c> gRPC
/// service (produce as segment leader, replicate as follower, consume). Needs an <see cref="IMetadataService"/> and
/// an <see cref="IBrokerDirectory"/> registered by an earlier module (<see cref="LocalMetadataModule"/> or the
/// Raft-backed metadata module).
/// </summary>
/// <param name="options">The data path options; null uses <see cref="DataPathOptions.Default"/>.</param>
public sealed class DataPathModule(DataPathOptions? options = null) : IBrokerModule
{
    private readonly DataPathOptions _options = options ?? DataPathOptions.Default;

    /// <inheritdoc />
    public string Name => "data-path";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, BrokerContext context)
    {
        services.AddSingleton(sp => new DataPathEngine(
            context,
            _options,
            sp.GetRequiredService<IMetadataService>(),
            sp.GetRequiredService<IBrokerDirectory>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Xinfra.Northguard.DataPath")));
        services.AddSingleton(sp => new Groups.GroupCoordinator(
            sp.GetRequiredService<DataPathEngine>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Xinfra.Northguard.Groups"),
            sp.GetService<Metadata.Hosting.MetadataHost>()));
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<NorthguardDataService>();
        endpoints.MapGrpcService<Groups.GroupCoordinatorService>();
    }

    /// <inheritdoc />
    public Task StartAsync(IServiceProvider services, BrokerContext context, CancellationToken cancellationToken) =>
        services.GetRequiredService<DataPathEngine>().StartAsync(cancellationToken);

    /// <inheritdoc />
    public async Task StopAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        await services.GetRequiredService<DataPathEngine>().DisposeAsync().ConfigureAwait(false);
}
