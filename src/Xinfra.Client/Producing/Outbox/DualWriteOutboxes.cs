using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xinfra.Monitoring;
using Xinfra.Routing;

namespace Xinfra.Producing.Outbox;

/// <summary>
/// The application's dual-write outboxes, one per topic with <c>DualWriteAck: Primary</c>, opened on first use (a
/// producer, or the host's start) and shared by every producer of the topic. Exports
/// <c>xinfra.dualwrite.outbox.depth</c> and <c>xinfra.dualwrite.outbox.bytes</c> per topic; the phase-flip check asks
/// it for the backlog.
/// </summary>
internal sealed class DualWriteOutboxes : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<DualWriteOutbox>> _outboxes = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IDisposable _gauges;

    public DualWriteOutboxes(TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger("Xinfra.Outbox");
        _gauges = ClientMetrics.ObserveOutboxes(Observe);
    }

    /// <summary>The topic's outbox, opening it (and starting its replay) on first use.</summary>
    public DualWriteOutbox Open(string topic, XinfraConfigurationMonitor configuration, TransportRegistry transports)
    {
        var options = configuration.Current.Options.Topics[topic];
        var root = options.OutboxPath ?? throw new XinfraConfigurationException(
            $"Topic '{topic}': DualWriteAck Primary needs {XinfraOptions.SectionName}:Topics:{topic}:OutboxPath.")
        { Topic = topic, Field = $"{XinfraOptions.SectionName}:Topics:{topic}:OutboxPath" };
        var lazy = _outboxes.GetOrAdd(topic, t => new Lazy<DualWriteOutbox>(() =>
            new DualWriteOutbox(t, Path.Combine(root, t), configuration, transports, _timeProvider, _logger)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _outboxes.TryRemove(new KeyValuePair<string, Lazy<DualWriteOutbox>>(topic, lazy));
            throw;
        }
    }

    /// <summary>
    /// Whether a process must open the topic's outbox when it starts: under <c>Primary</c>, and also when an earlier
    /// process left an outbox directory behind (the topic was switched from <c>Primary</c> to <c>Both</c>): its entries
    /// were acknowledged to the application and exist nowhere else, and direct target writes must wait for them.
    /// </summary>
    public static bool MustOpen(string topic, TopicOptions options) =>
        options.DualWriteAck == DualWriteAckPolicy.Primary
        || (!string.IsNullOrWhiteSpace(options.OutboxPath) && Directory.Exists(Path.Combine(options.OutboxPath, topic)));

    /// <summary>The topic's outbox if it was opened.</summary>
    public DualWriteOutbox? Find(string topic) =>
        _outboxes.TryGetValue(topic, out var lazy) && lazy.IsValueCreated ? lazy.Value : null;

    /// <summary>Entries of the topic's outbox not yet on the target (0 when it has none).</summary>
    public long Depth(string topic) => Find(topic)?.Depth ?? 0;

    public async ValueTask DisposeAsync()
    {
        _gauges.Dispose();
        foreach (var lazy in _outboxes.Values)
        {
            if (lazy.IsValueCreated)
            {
                await lazy.Value.DisposeAsync().ConfigureAwait(false);
            }
        }

        _outboxes.Clear();
    }

    private IEnumerable<(string Topic, long Depth, long Bytes)> Observe()
    {
        foreach (var (topic, lazy) in _outboxes)
        {
            if (lazy.IsValueCreated)
            {
                yield return (topic, lazy.Value.Depth, lazy.Value.Bytes);
            }
        }
    }
}
