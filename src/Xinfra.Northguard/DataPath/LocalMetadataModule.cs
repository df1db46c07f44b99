using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// Registers one shared in-process <see cref="IMetadataService"/> (<see cref="LocalMetadataService"/>) and
/// <see cref="IBrokerDirectory"/> (<see cref="LocalBrokerDirectory"/>) in a broker, for an embedded cluster whose
/// brokers all live in this process. Put it before <see cref="DataPathModule"/>. The Raft-backed metadata module
/// registers the same two services and replaces this one in a networked cluster.
/// </summary>
/// <param name="metadata">The metadata shared by every broker of the cluster.</param>
/// <param name="directory">The membership shared by every broker of the cluster.</param>
public sealed class LocalMetadataModule(LocalMetadataService metadata, LocalBrokerDirectory directory) : IBrokerModule
{
    private BrokerContext? _context;

    /// <inheritdoc />
    public string Name => "local-metadata";

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, BrokerContext context)
    {
        services.AddSingleton<IMetadataService>(metadata);
        services.AddSingleton<IBrokerDirectory>(directory);
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
    }

    /// <inheritdoc />
    public Task StartAsync(IServiceProvider services, BrokerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        directory.MarkLive(context.BrokerId, context.Endpoint!, context.Options.Attributes);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (_context is not null)
        {
            directory.MarkDead(_context.BrokerId);
        }

        return Task.CompletedTask;
    }
}
