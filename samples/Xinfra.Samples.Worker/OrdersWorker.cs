using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Xinfra.Samples.Worker;

/// <summary>Produces orders to the logical topic "orders" and consumes them back in a consumer group, checking per-key order.</summary>
public sealed partial class OrdersWorker(
    IXinfraClient xinfra,
    IOptions<SampleOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OrdersWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sample = options.Value;
        await using var producer = xinfra.CreateProducer<string, Order>("orders");
        await using var consumer = xinfra.CreateConsumer<string, Order>("orders", new ConsumerOptions<string, Order>
        {
            GroupId = "orders-sample",
            OnPartitionsAssigned = partitions => LogAssigned(logger, partitions.Count),
        });

        var clock = Stopwatch.StartNew();
        var produce = Task.Run(() => ProduceAsync(producer, sample, stoppingToken), stoppingToken);
        var (consumed, outOfOrder) = await ConsumeAsync(consumer, sample, stoppingToken);
        await produce;
        LogDone(logger, consumed, outOfOrder, clock.Elapsed.TotalMilliseconds);
        if (sample.ExitWhenDone)
        {
            lifetime.StopApplication();
        }
    }

    private async Task ProduceAsync(IXinfraProducer<string, Order> producer, SampleOptions sample, CancellationToken cancellationToken)
    {
        var sequences = new int[sample.Keys];
        for (var i = 0; i < sample.Records; i++)
        {
            var key = i % sample.Keys;
            var order = new Order($"customer-{key}", sequences[key]++, 10m + i);
            var receipt = await producer.ProduceAsync(order.Customer, order, cancellationToken);
            if (i % 500 == 0)
            {
                LogProduced(logger, i, receipt.Cluster, receipt.Partition, receipt.Offset, receipt.Phase);
            }
        }
    }

    private static async Task<(int Consumed, int OutOfOrder)> ConsumeAsync(IXinfraConsumer<string, Order> consumer, SampleOptions sample, CancellationToken cancellationToken)
    {
        var next = new Dictionary<string, int>();
        var consumed = 0;
        var outOfOrder = 0;
        await foreach (var result in consumer.ConsumeAsync(cancellationToken))
        {
            var order = result.Value!;
            var expected = next.GetValueOrDefault(order.Customer);
            if (order.Sequence != expected)
            {
                outOfOrder++;
            }

            next[order.Customer] = order.Sequence + 1;
            if (++consumed == sample.Records)
            {
                await consumer.CommitAsync(result, cancellationToken);
                break;
            }
        }

        return (consumed, outOfOrder);
    }

    [LoggerMessage(1, LogLevel.Information, "Consumer got {Count} partitions")]
    private static partial void LogAssigned(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Information, "Produced #{Index} to {Cluster} partition {Partition} offset {Offset} (phase {Phase})")]
    private static partial void LogProduced(ILogger logger, int index, string cluster, long partition, long offset, MigrationPhase phase);

    [LoggerMessage(3, LogLevel.Information, "Consumed {Count} orders, {OutOfOrder} out of per-customer order, in {Milliseconds:F0} ms")]
    private static partial void LogDone(ILogger logger, int count, int outOfOrder, double milliseconds);
}
