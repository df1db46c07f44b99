using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Confluent.Kafka;
using Xinfra.Transport;

namespace Xinfra.Kafka.Benchmarks;

/// <summary>
/// Produces <see cref="Records"/> records of <see cref="PayloadBytes"/> bytes per invocation to an 8-partition topic,
/// raw Confluent.Kafka (baseline) against the same workload through the Xinfra transport, on both produce paths, and on
/// the callback path with a new closure per record (what a client layer that tracks each record does).
/// Results are per record (OperationsPerInvoke).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ProduceBenchmark
{
    private const int Records = 100_000;
    private static readonly XinfraHeader[] NoHeaders = [];

    private IProducer<byte[]?, byte[]?> _raw = null!;
    private ITransport _transport = null!;
    private PhysicalTopic _topic = null!;
    private byte[][] _keys = null!;
    private byte[] _value = null!;
    private Task<Confluent.Kafka.DeliveryResult<byte[]?, byte[]?>>[] _rawTasks = null!;
    private ValueTask<TransportReceipt>[] _xinfraTasks = null!;
    private Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>> _rawHandler = null!;
    private Action<TransportReceipt, XinfraException?> _xinfraHandler = null!;
    private int _failures;

    [Params(100, 1024)]
    public int PayloadBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _raw = new ProducerBuilder<byte[]?, byte[]?>(BenchmarkCluster.RawProducerConfig()).Build();
        _transport = BenchmarkCluster.CreateTransport();
        _topic = BenchmarkCluster.CreateTopic("produce", 8);
        _keys = Enumerable.Range(0, 1024).Select(i => BitConverter.GetBytes(i)).ToArray();
        _value = new byte[PayloadBytes];
        Random.Shared.NextBytes(_value);
        _rawTasks = new Task<Confluent.Kafka.DeliveryResult<byte[]?, byte[]?>>[Records];
        _xinfraTasks = new ValueTask<TransportReceipt>[Records];
        _rawHandler = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failures);
            }
        };
        _xinfraHandler = (_, error) =>
        {
            if (error is not null)
            {
                Interlocked.Increment(ref _failures);
            }
        };

        // Warm both clients' connections and the topic's metadata.
        _raw.ProduceAsync(_topic.Name, new Message<byte[]?, byte[]?> { Value = _value }).GetAwaiter().GetResult();
        _transport.ProduceAsync(_topic, Record(0), CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Flush(TimeSpan.FromSeconds(10));
        _raw.Dispose();
        _transport.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_failures > 0)
        {
            throw new InvalidOperationException($"{_failures} records failed");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    [BenchmarkCategory("ProduceAsync")]
    public async Task Raw_ProduceAsync()
    {
        for (var i = 0; i < Records; i++)
        {
            _rawTasks[i] = _raw.ProduceAsync(_topic.Name, new Message<byte[]?, byte[]?> { Key = _keys[i & 1023], Value = _value });
        }

        for (var i = 0; i < Records; i++)
        {
            await _rawTasks[i];
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    [BenchmarkCategory("ProduceAsync")]
    public async Task Xinfra_ProduceAsync()
    {
        for (var i = 0; i < Records; i++)
        {
            _xinfraTasks[i] = _transport.ProduceAsync(_topic, Record(i), CancellationToken.None);
        }

        for (var i = 0; i < Records; i++)
        {
            await _xinfraTasks[i];
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    [BenchmarkCategory("ProduceCallback")]
    public void Raw_ProduceCallback()
    {
        for (var i = 0; i < Records; i++)
        {
            _raw.Produce(_topic.Name, new Message<byte[]?, byte[]?> { Key = _keys[i & 1023], Value = _value }, _rawHandler);
        }

        _raw.Flush(TimeSpan.FromSeconds(30));
    }

    [Benchmark(OperationsPerInvoke = Records)]
    [BenchmarkCategory("ProduceCallback")]
    public async Task Xinfra_ProduceCallback()
    {
        for (var i = 0; i < Records; i++)
        {
            _transport.Produce(_topic, Record(i), _xinfraHandler);
        }

        await _transport.FlushAsync(CancellationToken.None);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    [BenchmarkCategory("ProduceClosurePerRecord")]
    public void Raw_ProduceClosurePerRecord()
    {
        for (var i = 0; i < Records; i++)
        {
            var sequence = i;
            _raw.Produce(_topic.Name, new Message<byte[]?, byte[]?> { Key = _keys[i & 1023], Value = _value }, report => Count(report.Error.IsError, sequence));
        }

        _raw.Flush(TimeSpan.FromSeconds(30));
    }

    [Benchmark(OperationsPerInvoke = Records)]
    [BenchmarkCategory("ProduceClosurePerRecord")]
    public async Task Xinfra_ProduceClosurePerRecord()
    {
        for (var i = 0; i < Records; i++)
        {
            var sequence = i;
            _transport.Produce(_topic, Record(i), (_, error) => Count(error is not null, sequence));
        }

        await _transport.FlushAsync(CancellationToken.None);
    }

    private void Count(bool failed, int sequence)
    {
        if (failed || sequence < 0)
        {
            Interlocked.Increment(ref _failures);
        }
    }

    private OutgoingRecord Record(int i) => new(_keys[i & 1023], _value, NoHeaders, default);
}
