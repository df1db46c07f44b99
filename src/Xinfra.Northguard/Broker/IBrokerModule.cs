using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Xinfra.Northguard.Broker;

/// <summary>
/// A feature of the broker (data path, metadata, admin…): registers its services, maps its gRPC endpoints, and
/// starts and stops with the broker. Modules start in registration order and stop in reverse.
/// </summary>
public interface IBrokerModule
{
    /// <summary>A short name for logs and <c>Describe</c>.</summary>
    string Name { get; }

    /// <summary>Registers the module's services in the broker's container.</summary>
    void ConfigureServices(IServiceCollection services, BrokerContext context);

    /// <summary>Maps the module's gRPC services.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);

    /// <summary>Starts background work once the listener is up (its endpoint is known).</summary>
    Task StartAsync(IServiceProvider services, BrokerContext context, CancellationToken cancellationToken);

    /// <summary>Stops background work; the listener is still up.</summary>
    Task StopAsync(IServiceProvider services, CancellationToken cancellationToken);
}
