using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Xinfra.InMemory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xinfra.Migration;
using Xinfra.Producing.Outbox;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra;

/// <summary>Registers Xinfra in a service collection.</summary>
public static class XinfraServiceCollectionExtensions
{
    /// <summary>
    /// Adds Xinfra bound to <paramref name="section"/> (usually <c>configuration.GetSection("Xinfra")</c>). Changes to
    /// the section apply live; the configuration is validated when the host starts.
    /// </summary>
    public static IXinfraBuilder AddXinfra(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<XinfraOptions>().Bind(section);
        services.AddSingleton(new BoundSectionCheck(section));
        return AddCore(services);
    }

    /// <summary>Adds Xinfra configured in code.</summary>
    public static IXinfraBuilder AddXinfra(this IServiceCollection services, Action<XinfraOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<XinfraOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>Adds the in-memory transport (<see cref="ClusterKind.InMemory"/>), for tests and samples.</summary>
    public static IXinfraBuilder AddInMemory(this IXinfraBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InMemoryClusters>();
        return builder.AddTransport<InMemoryTransportFactory>();
    }

    /// <summary>
    /// Adds the cutover gate: a background check of divergence between source and target of every dual-writing topic,
    /// exported as <c>xinfra.migration.divergence</c>; a flip to DualWriteReadTarget is refused while it is not zero.
    /// </summary>
    public static IXinfraBuilder AddMigrationGate(this IXinfraBuilder builder, Action<DivergenceGateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<DivergenceGate>();
        builder.Services.AddOptions<DivergenceGateOptions>().Configure(o => configure?.Invoke(o));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DivergenceGateService>());
        builder.Services.TryAddSingleton(sp => sp.GetServices<IHostedService>().OfType<DivergenceGateService>().First());
        return builder;
    }

    private static XinfraBuilder AddCore(IServiceCollection services)
    {
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => new XinfraConfigurationMonitor(
            sp.GetRequiredService<IOptionsMonitor<XinfraOptions>>(),
            sp.GetServices<ITransportFactory>(),
            sp.GetRequiredService<ILogger<XinfraConfigurationMonitor>>(),
            sp.GetService<BoundSectionCheck>(),
            sp.GetService<DivergenceGate>(),
            sp.GetRequiredService<DualWriteOutboxes>()));
        services.TryAddSingleton<DualWriteOutboxes>();
        services.TryAddSingleton<TransportRegistry>();
        services.TryAddSingleton<IXinfraClient, XinfraClient>();
        services.TryAddSingleton<TopicMirror>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, XinfraStartupValidation>());
        return new XinfraBuilder(services);
    }

    private sealed class XinfraBuilder(IServiceCollection services) : IXinfraBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
