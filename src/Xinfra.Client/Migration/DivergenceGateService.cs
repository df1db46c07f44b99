using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xinfra.Routing;

namespace Xinfra.Migration;

/// <summary>
/// Measures divergence of every topic in a dual-write phase every <see cref="DivergenceGateOptions.Interval"/> over the
/// window that ends <see cref="DivergenceGateOptions.Lag"/> ago, records it in the <see cref="DivergenceGate"/> and
/// exports it as <c>xinfra.migration.divergence</c> (records on one side only, per topic).
/// </summary>
public sealed partial class DivergenceGateService : BackgroundService
{
    private readonly XinfraConfigurationMonitor _configuration;
    private readonly DivergenceChecker _checker;
    private readonly DivergenceGate _gate;
    private readonly DivergenceGateOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    public DivergenceGateService(
        XinfraConfigurationMonitor configuration,
        TransportRegistry transports,
        DivergenceGate gate,
        IOptions<DivergenceGateOptions> options,
        TimeProvider timeProvider,
        ILogger<DivergenceGateService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _configuration = configuration;
        _checker = new DivergenceChecker(configuration, transports);
        _gate = gate;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        XinfraTelemetry.Meter.CreateObservableGauge("xinfra.migration.divergence", Observe, "{record}", "Records found on one side only in the latest divergence check, per topic.");
    }

    /// <summary>Checks every dual-writing topic once, now.</summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        var to = _timeProvider.GetUtcNow() - _options.Lag;
        var from = to - _options.Window;
        foreach (var (topic, route) in _configuration.Current.Routes)
        {
            if (route.Phase is not (MigrationPhase.DualWriteReadSource or MigrationPhase.DualWriteReadTarget))
            {
                continue;
            }

            try
            {
                var report = await _checker.CheckAsync(topic, from, to, cancellationToken).ConfigureAwait(false);
                _gate.Record(report);
                LogChecked(_logger, topic, report.Divergence, report.Source.Count, report.Target.Count);
            }
            catch (XinfraException ex)
            {
                LogCheckFailed(_logger, topic, ex);
            }
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
            await Task.Delay(_options.Interval, _timeProvider, stoppingToken).ConfigureAwait(false);
        }
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        foreach (var topic in _configuration.Current.Routes.Keys)
        {
            if (_gate.Latest(topic) is { } report)
            {
                yield return new Measurement<long>(report.Divergence, new KeyValuePair<string, object?>("topic", topic));
            }
        }
    }

    [LoggerMessage(3101, LogLevel.Information, "Topic {Topic}: divergence {Divergence} (source {SourceCount} records, target {TargetCount})")]
    private static partial void LogChecked(ILogger logger, string topic, long divergence, long sourceCount, long targetCount);

    [LoggerMessage(3102, LogLevel.Warning, "Topic {Topic}: divergence check failed")]
    private static partial void LogCheckFailed(ILogger logger, string topic, Exception exception);
}

/// <summary>How often and over which window the cutover gate measures divergence.</summary>
public sealed class DivergenceGateOptions
{
    /// <summary>Time between checks. <value>The default is 30 s.</value></summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The window compared. <value>The default is 5 min.</value></summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long before now the window ends, so in-flight dual writes have landed. <value>The default is 10 s.</value></summary>
    public TimeSpan Lag { get; set; } = TimeSpan.FromSeconds(10);
}
