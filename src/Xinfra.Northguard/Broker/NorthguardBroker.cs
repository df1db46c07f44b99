using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Northguard.Monitoring;
using Xinfra.Northguard.Security;

namespace Xinfra.Northguard.Broker;

/// <summary>
/// One Northguard broker: a Kestrel HTTP/2 listener serving gRPC, and the modules that make it a broker (data path,
/// metadata, admin). Start with <see cref="StartAsync"/>; dispose to stop.
/// </summary>
public sealed class NorthguardBroker : IAsyncDisposable
{
    private readonly IReadOnlyList<IBrokerModule> _modules;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;
    private BrokerMetricsEndpoint? _metrics;
    private bool _stopped;

    private NorthguardBroker(BrokerContext context, IReadOnlyList<IBrokerModule> modules, ILoggerFactory loggerFactory)
    {
        Context = context;
        _modules = modules;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The broker's shared context.</summary>
    public BrokerContext Context { get; }

    /// <summary>The broker id.</summary>
    public ulong BrokerId => Context.BrokerId;

    /// <summary>The <c>http://host:port</c> the broker listens on.</summary>
    public string Endpoint => Context.Endpoint ?? throw new InvalidOperationException("The broker has not started.");

    /// <summary>
    /// The Prometheus scrape URL (<c>http://host:port/metrics</c>, plaintext HTTP/1.1) when
    /// <see cref="NorthguardBrokerOptions.MetricsPort"/> is set; null otherwise.
    /// </summary>
    public string? MetricsEndpoint => _metrics?.Address;

    /// <summary>The broker's services (for modules and tests).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The broker has not started.");

    /// <summary>Starts a broker with <paramref name="modules"/> and returns once it listens.</summary>
    public static async Task<NorthguardBroker> StartAsync(
        NorthguardBrokerOptions options,
        IReadOnlyList<IBrokerModule> modules,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(modules);
        Directory.CreateDirectory(options.DataDirectory);
        var broker = new NorthguardBroker(new BrokerContext(options, timeProvider ?? TimeProvider.System), modules, loggerFactory ?? NullLoggerFactory.Instance);
        broker.Context.Security = options.Security is null ? null : new BrokerSecurity(options.Security, broker.Context.TimeProvider, broker._loggerFactory);
        try
        {
            await broker.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (broker._metrics is { } metrics)
            {
                await metrics.DisposeAsync().ConfigureAwait(false);
            }

            broker.Context.DisposeMeter();
            broker.Context.Security?.Dispose();
            throw;
        }

        return broker;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Context.Options.MetricsPort is { } metricsPort)
        {
            // First, so the collector sees what the modules record while they start (WAL replay, elections).
            _metrics = await BrokerMetricsEndpoint.StartAsync(Context, Context.Options.Host, metricsPort, _loggerFactory, cancellationToken).ConfigureAwait(false);
        }

        // The content root is where the host watches appsettings files (recursively): never the working directory,
        // which may hold the broker's own data folder (northguard-server's "./data/broker-1") and would turn every
        // segment write into a file-watcher event.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Replace(ServiceDescriptor.Singleton(_loggerFactory));
        builder.Services.AddSingleton(Context);
        builder.Services.AddSingleton(Context.TimeProvider);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Parse(Context.Options.Host), Context.Options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                Context.Security?.ConfigureListener(listen);
            });
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });
        BrokerSecurity.AddServices(builder.Services, Context.Security);
        foreach (var module in _modules)
        {
            builder.Services.AddSingleton(new BrokerModuleName(module.Name));
            module.ConfigureServices(builder.Services, Context);
        }

        var app = builder.Build();
        app.MapGrpcService<BrokerInfoService>();
        BrokerSecurity.MapEndpoints(app);
        foreach (var module in _modules)
        {
            module.MapEndpoints(app);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Context.Endpoint = Context.Options.AdvertisedEndpoint ?? address.Replace("[::]", Context.Options.Host, StringComparison.Ordinal);
        foreach (var module in _modules)
        {
            await module.StartAsync(app.Services, Context, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the modules (in reverse order), then the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopped || _app is null)
        {
            return;
        }

        _stopped = true;
        for (var i = _modules.Count - 1; i >= 0; i--)
        {
            await _modules[i].StopAsync(_app.Services, CancellationToken.None).ConfigureAwait(false);
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Context.DisposeMeter();
        if (_metrics is not null)
        {
            await _metrics.DisposeAsync().ConfigureAwait(false);
        }

        Context.Security?.Dispose();
    }
}
