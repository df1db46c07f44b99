using System.Collections.Concurrent;
using Xinfra.Migration;
using Xinfra.Routing;

namespace Xinfra.Samples.Migration;

/// <summary>What the producer acknowledged and what the consumer delivered, to show loss and duplicates live.</summary>
public sealed class Tally
{
    public ConcurrentDictionary<string, byte> Acked { get; } = new();

    public ConcurrentDictionary<string, int> Delivered { get; } = new();

    public long Produced;

    public long Consumed;

    public string ReadingFrom = "-";
}

/// <summary>Produces an order every few milliseconds, keyed by customer.</summary>
public sealed class OrderProducer(IXinfraClient xinfra, Tally tally) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var producer = xinfra.CreateProducer<string, string>("orders");
        for (var i = 0; !stoppingToken.IsCancellationRequested; i++)
        {
            var id = $"order-{i}";
            try
            {
                await producer.ProduceAsync($"customer-{i % 50}", id, stoppingToken);
                tally.Acked[id] = 0;
                Interlocked.Increment(ref tally.Produced);
            }
            catch (ProduceException)
            {
                // Not acknowledged: the record is not counted (the dashboard shows the error count via metrics).
            }

            await Task.Delay(2, stoppingToken);
        }
    }
}

/// <summary>Consumes in the group "fulfilment" and counts deliveries per order.</summary>
public sealed class OrderConsumer(IXinfraClient xinfra, Tally tally) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var consumer = xinfra.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "fulfilment" });
        await foreach (var result in consumer.ConsumeAsync(stoppingToken))
        {
            tally.Delivered.AddOrUpdate(result.Value!, 1, (_, n) => n + 1);
            tally.ReadingFrom = result.Cluster;
            Interlocked.Increment(ref tally.Consumed);
        }
    }
}

/// <summary>Backfills the target with the source's history while the topic is not yet read from the target.</summary>
public sealed partial class Backfill(XinfraConfigurationMonitor configuration, TopicMirror mirror, ILogger<Backfill> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (configuration.Current.Route("orders").Phase is MigrationPhase.SourceOnly or MigrationPhase.DualWriteReadSource)
            {
                var result = await mirror.RunAsync("orders", stoppingToken);
                if (result.Copied > 0)
                {
                    LogCopied(logger, result.Copied);
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken);
        }
    }

    [LoggerMessage(3, LogLevel.Information, "backfill copied {Copied} records to the target")]
    private static partial void LogCopied(ILogger logger, long copied);
}

/// <summary>Prints the phase, throughput, divergence and exactly-once check every two seconds.</summary>
public sealed partial class Dashboard(XinfraConfigurationMonitor configuration, DivergenceGate gate, Tally tally, ILogger<Dashboard> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long lastProduced = 0, lastConsumed = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            var route = configuration.Current.Route("orders");
            var produced = Interlocked.Read(ref tally.Produced);
            var consumed = Interlocked.Read(ref tally.Consumed);
            var duplicates = tally.Delivered.Count(d => d.Value > 1);
            var divergence = gate.Latest("orders") is { } report ? report.Divergence.ToString(System.Globalization.CultureInfo.InvariantCulture) : "n/a";
            LogStatus(logger, route.Phase, string.Join("+", route.WriteTo.Select(t => t.Cluster)), tally.ReadingFrom,
                (produced - lastProduced) / 2, (consumed - lastConsumed) / 2, divergence, duplicates, tally.Acked.Count - tally.Delivered.Count);
            if (configuration.LastRejection is { } rejected)
            {
                LogRejected(logger, rejected);
            }

            (lastProduced, lastConsumed) = (produced, consumed);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "phase {Phase,-20} writes {Writes,-12} reads {Reads,-7} | {Produced,5}/s in {Consumed,5}/s out | divergence {Divergence} | delivered twice {Duplicates} | not yet delivered {Pending}")]
    private static partial void LogStatus(ILogger logger, MigrationPhase phase, string writes, string reads, long produced, long consumed, string divergence, int duplicates, int pending);

    [LoggerMessage(2, LogLevel.Warning, "last configuration change refused:\n{Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}
