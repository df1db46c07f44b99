using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xinfra.Northguard.Broker;
using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Server.Configuration;
using Xinfra.Northguard.Storage;

namespace Xinfra.Northguard.Server;

/// <summary>
/// Runs the broker described by <see cref="NorthguardServerOptions"/> for the lifetime of the host: starts it (metadata
/// and data path modules) when the host starts and stops it cleanly, flushing its stores, when the host stops
/// (SIGTERM, Ctrl+C).
/// </summary>
public sealed partial class BrokerHostedService(
    IOptions<NorthguardServerOptions> options,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<BrokerHostedService>();
    private NorthguardBroker? _broker;

    /// <summary>The running broker, once started.</summary>
    public NorthguardBroker? Broker => _broker;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var members = NorthguardServerOptionsValidator.ParseMembers(o);
        var membership = new MetadataMembership(members.Count == 0 ? [o.BrokerId] : members.Keys);
        foreach (var (id, endpoint) in members)
        {
            if (id != o.BrokerId)
            {
                membership.SetEndpoint(id, endpoint.GetLeftPart(UriPartial.Authority));
            }
        }

        var metadata = new MetadataModuleOptions
        {
            Membership = membership,
            VnodeCount = o.Metadata.VnodeCount,
            ReplicationFactor = o.Metadata.ReplicationFactor,
            TickPeriod = o.Metadata.TickPeriod,
            ElectionTicks = o.Metadata.ElectionTicks,
            RequestTimeout = o.Metadata.RequestTimeout,
            Seed = o.Metadata.Seed,
        };
        var dataPath = new DataPathOptions
        {
            ProduceWindow = o.DataPath.ProduceWindow,
            MaxRecordBytes = o.DataPath.MaxRecordBytes,
            ReplicaTimeout = o.DataPath.ReplicaTimeout,
            RereplicationInterval = o.DataPath.RereplicationInterval,
            Store = FpsStoreOptions.Default with { GroupCommitWindow = o.DataPath.GroupCommitWindow },
        };
        var brokerOptions = new NorthguardBrokerOptions
        {
            BrokerId = o.BrokerId,
            Host = o.Host,
            Port = o.Port,
            MetricsPort = o.MetricsPort,
            DataDirectory = Path.GetFullPath(o.DataDirectory),
            Attributes = o.Attributes,
            AdvertisedEndpoint = members.TryGetValue(o.BrokerId, out var own) ? own.GetLeftPart(UriPartial.Authority) : null,
        };
        _broker = await NorthguardBroker.StartAsync(
            brokerOptions,
            [new MetadataModule(metadata), new DataPathModule(dataPath)],
            loggerFactory,
            timeProvider,
            cancellationToken).ConfigureAwait(false);
        LogListening(_logger, o.BrokerId, _broker.Endpoint, brokerOptions.DataDirectory, membership.Brokers.Count);
        if (_broker.MetricsEndpoint is { } metrics)
        {
            LogMetrics(_logger, o.BrokerId, metrics);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_broker is { } broker)
        {
            _broker = null;
            LogStopping(_logger, broker.BrokerId);
            await broker.DisposeAsync().ConfigureAwait(false);
            LogStopped(_logger, broker.BrokerId);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _broker is { } broker ? broker.DisposeAsync() : ValueTask.CompletedTask;

    [LoggerMessage(1, LogLevel.Information, "Northguard broker {BrokerId} listening on {Endpoint} (data {DataDirectory}, {Members} member(s))")]
    private static partial void LogListening(ILogger logger, ulong brokerId, string endpoint, string dataDirectory, int members);

    [LoggerMessage(4, LogLevel.Information, "Northguard broker {BrokerId} serves Prometheus metrics on {MetricsEndpoint}")]
    private static partial void LogMetrics(ILogger logger, ulong brokerId, string metricsEndpoint);

    [LoggerMessage(2, LogLevel.Information, "Northguard broker {BrokerId} stopping")]
    private static partial void LogStopping(ILogger logger, ulong brokerId);

    [LoggerMessage(3, LogLevel.Information, "Northguard broker {BrokerId} stopped")]
    private static partial void LogStopped(ILogger logger, ulong brokerId);
}
