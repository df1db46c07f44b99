using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Confluent.Kafka;
using Xinfra.Transport;

namespace Xinfra.Kafka.Benchmarks;

/// <summary>
/// Reads <see cref="Records"/> records of <see cref="PayloadBytes"/> bytes from a 16-partition topic (at most 2.5 MiB per partition, under the mock's retention) per invocation:
/// a raw Confluent.Kafka group consumer (baseline, Consume in a loop) against an Xinfra transport consumer (fetch
/// thread, channel, ReadAsync). Both stay in the group; each invocation seeks every partition back to 0.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ConsumeBenchmark
{
    private const int Records = 40_000;
    private const int Partitions = 16;

    private ITransport _transport = null!;
    private PhysicalTopic _topic = null!;
    private IConsumer<byte[]?, byte[]?> _raw = null!;
    private ITransportConsumer _xinfra = null!;

    [Params(100, 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _transport = BenchmarkCluster.CreateTransport();
        _topic = BenchmarkCluster.CreateTopic("consume", Partitions);
        var value = new byte[PayloadBytes];
        Random.Shared.NextBytes(value);
        var tasks = new ValueTask<TransportReceipt>[Records];
        for (var i = 0; i < Records; i++)
        {
            tasks[i] = _transport.ProduceAsync(_topic, new OutgoingRecord(BitConverter.GetBytes(i), value, [], default), CancellationToken.None);
        }

        foreach (var task in tasks)
        {
            task.AsTask().GetAwaiter().GetResult();
        }

        _raw = new ConsumerBuilder<byte[]?, byte[]?>(BenchmarkCluster.RawConsumerConfig("raw-" + Guid.NewGuid().ToString("N"))).Build();
        _raw.Subscribe(_topic.Name);
        _xinfra = _transport.CreateConsumer(new ConsumerSpec { GroupId = "xinfra-" + Guid.NewGuid().ToString("N"), Topics = [_topic] });

        // Join the groups and read everything once.
        RawConsume();
        XinfraConsume().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Close();
        _raw.Dispose();
        _xinfra.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _transport.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Raw_Consume))]
    public void RewindRaw()
    {
        foreach (var partition in _raw.Assignment)
        {
            _raw.Seek(new Confluent.Kafka.TopicPartitionOffset(partition, 0));
        }
    }

    [IterationSetup(Target = nameof(Xinfra_Consume))]
    public void RewindXinfra()
    {
        foreach (var partition in _xinfra.Assignment)
        {
            _xinfra.Seek(new Transport.TopicPartitionOffset(partition, 0));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    [BenchmarkCategory("Consume")]
    public long Raw_Consume() => RawConsume();

    [Benchmark(OperationsPerInvoke = Records)]
    [BenchmarkCategory("Consume")]
    public Task<long> Xinfra_Consume() => XinfraConsume();

    private long RawConsume()
    {
        long bytes = 0;
        for (var i = 0; i < Records; i++)
        {
            var result = _raw.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("raw consumer got nothing");
            bytes += result.Message.Value!.Length;
        }

        return bytes;
    }

    private async Task<long> XinfraConsume()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        long bytes = 0;
        for (var i = 0; i < Records; i++)
        {
            var record = await _xinfra.ReadAsync(timeout.Token);
            bytes += record.Value!.Value.Length;
        }

        return bytes;
    }
}
