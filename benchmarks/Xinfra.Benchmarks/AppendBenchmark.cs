using BenchmarkDotNet.Attributes;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Benchmarks;

/// <summary>
/// One producer appending a 16 KiB batch and awaiting durability, against the baseline of a plain
/// write + fdatasync of a batch of the same size on the same disk. Run: <c>--filter *AppendBenchmark* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmark
{
    private string _directory = string.Empty;
    private FileStorageDevice? _device;
    private RocksDbSparseIndex? _index;
    private FpsStore? _store;
    private LogRecord[] _records = [];
    private SafeFileHandleBox? _raw;
    private byte[] _rawBatch = [];

    /// <summary>The size of each record's value.</summary>
    [Params(100, 1024, 16384)]
    public int RecordSize { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "xinfra-bdn-" + Guid.NewGuid().ToString("N"));
        _device = new FileStorageDevice(Path.Combine(_directory, "data"));
        _index = new RocksDbSparseIndex(Path.Combine(_directory, "index"));
        _store = await FpsStore.OpenAsync(_device, _index, FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.Zero });
        _store.CreateSegment(1, "bench", 0);
        _records = Enumerable.Range(0, Math.Max(1, 16384 / RecordSize)).Select(i => new LogRecord(BitConverter.GetBytes((long)i), new byte[RecordSize], 0)).ToArray();
        _rawBatch = new byte[_records.Length * (RecordSize + 40)];
        _raw = new SafeFileHandleBox(Path.Combine(_directory, "raw.bin"));
    }

    [Benchmark(Baseline = true)]
    public void WriteAndFdatasync() => _raw!.AppendAndSync(_rawBatch);

    [Benchmark]
    public async Task AppendAndWaitForDurable() => await _store!.AppendAsync(1, _records);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _raw?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _index?.Dispose();
        _device?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A raw file written with pwrite + fdatasync.</summary>
    private sealed class SafeFileHandleBox(string path) : IDisposable
    {
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        private long _offset;

        public void AppendAndSync(byte[] batch)
        {
            RandomAccess.Write(_handle, batch, _offset);
            _offset += batch.Length;
            if (LibC.FDataSync((int)_handle.DangerousGetHandle()) != 0)
            {
                throw new IOException("fdatasync failed");
            }
        }

        public void Dispose() => _handle.Dispose();
    }
}
