using BenchmarkDotNet.Attributes;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Benchmarks;

/// <summary>
/// Reading a sealed 64 MiB segment through the store (CRC-checked, decoded), against the baseline of reading the same
/// file's bytes sequentially. Run: <c>--filter *SealedReadBenchmark* --job short</c>.
/// </summary>
public class SealedReadBenchmark
{
    private string _directory = string.Empty;
    private FileStorageDevice? _device;
    private RocksDbSparseIndex? _index;
    private FpsStore? _store;
    private string _file = string.Empty;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "xinfra-bdn-" + Guid.NewGuid().ToString("N"));
        _device = new FileStorageDevice(Path.Combine(_directory, "data"));
        _index = new RocksDbSparseIndex(Path.Combine(_directory, "index"));
        _store = await FpsStore.OpenAsync(_device, _index, FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.Zero });
        _store.CreateSegment(1, "bench", 0);
        var records = Enumerable.Range(0, 64).Select(_ => new LogRecord(default, new byte[16384], 0)).ToArray();
        for (var i = 0; i < 64; i++)
        {
            await _store.AppendAsync(1, records);
        }

        await _store.SealSegmentAsync(1);
        _file = Path.Combine(_directory, "data", "seg-0000000000000000001.ngs");
    }

    [Benchmark(Baseline = true)]
    public long ReadFileBytes()
    {
        using var handle = File.OpenHandle(_file);
        var buffer = new byte[1 << 20];
        long offset = 0;
        int n;
        while ((n = RandomAccess.Read(handle, buffer, offset)) > 0)
        {
            offset += n;
        }

        return offset;
    }

    [Benchmark]
    public async Task<long> ReadSegment()
    {
        long offset = 0;
        while (true)
        {
            var result = await _store!.ReadAsync(1, offset, 1 << 20);
            if (result.Records.Count == 0)
            {
                return offset;
            }

            offset = result.NextOffset;
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _index?.Dispose();
        _device?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
