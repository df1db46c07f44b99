using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Broker;

namespace Xinfra.Northguard.Monitoring;

/// <summary>
/// A broker's Prometheus scrape endpoint: <c>GET /metrics</c> over plaintext HTTP/1.1 on its own port (the gRPC
/// listener is HTTP/2-only), serving the process-wide <c>Xinfra.Northguard</c> instruments and this broker's own (see
/// <see cref="MeterCollector"/>), collected since the endpoint started.
/// </summary>
internal sealed class BrokerMetricsEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MeterCollector _collector;

    private BrokerMetricsEndpoint(WebApplication app, MeterCollector collector, string address)
    {
        _app = app;
        _collector = collector;
        Address = address;
    }

    /// <summary>The scrape URL, <c>http://host:port/metrics</c>.</summary>
    public string Address { get; }

    /// <summary>Starts listening on <paramref name="host"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<BrokerMetricsEndpoint> StartAsync(BrokerContext broker, string host, int port, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var collector = new MeterCollector(broker);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(host), port, listen => listen.Protocols = HttpProtocols.Http1));
            var app = builder.Build();
            app.MapGet("/metrics", () => Results.Text(PrometheusText.Render(collector.Collect()), PrometheusText.ContentType));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new BrokerMetricsEndpoint(app, collector, bound.Replace("[::]", host, StringComparison.Ordinal).TrimEnd('/') + "/metrics");
        }
        catch
        {
            collector.Dispose();
            throw;
        }
    }

    /// <summary>Stops the listener and the meter listener.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _collector.Dispose();
    }
}
