namespace Xinfra.Northguard.Storage.Devices;

/// <summary>
/// An in-memory <see cref="IStorageDevice"/> for tests and simulation. It keeps durable and volatile bytes apart:
/// <see cref="Crash"/> keeps a random prefix of the unsynced writes of each file (tearing the last one, optionally
/// with garbage) from a seeded <see cref="Random"/>, and <see cref="FailWhen"/> injects write, fsync and read errors.
/// </summary>
public sealed partial class MemoryStorageDevice : IStorageDevice
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MemoryFileData> _files = new(StringComparer.Ordinal);
    private long _flushCount;

    /// <summary>When set and returning true for (file name, operation), that operation throws an <see cref="IOException"/>.</summary>
    public Func<string, StorageOperation, bool>? FailWhen { get; set; }

    /// <summary>How many flushes (fsyncs) succeeded on this device.</summary>
    public long FlushCount => Interlocked.Read(ref _flushCount);

    /// <inheritdoc />
    public StorageIoMode IoMode => StorageIoMode.Memory;

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles()
    {
        lock (_lock)
        {
            return [.. _files.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <inheritdoc />
    public IStorageFile Open(string name, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_lock)
        {
            if (!_files.TryGetValue(name, out var data))
            {
                if (!create)
                {
                    throw new FileNotFoundException($"File '{name}' does not exist on the memory device.", name);
                }

                data = new MemoryFileData();
                _files.Add(name, data);
            }

            return new MemoryFile(this, name, data);
        }
    }

    /// <inheritdoc />
    public void Delete(string name)
    {
        lock (_lock)
        {
            if (_files.Remove(name, out var data))
            {
                data.Kill();
            }
        }
    }

    /// <summary>
    /// Simulates a power loss: every open handle dies, and each file keeps its durable bytes plus a random prefix of
    /// its unsynced writes, the last kept write possibly torn and followed by garbage.
    /// </summary>
    public void Crash(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        lock (_lock)
        {
            foreach (var name in _files.Keys.Order(StringComparer.Ordinal).ToList())
            {
                var old = _files[name];
                _files[name] = old.Crash(random);
            }
        }
    }

    /// <summary>Returns a copy of a file's current (volatile) bytes, for tests.</summary>
    public byte[] ReadAllBytes(string name)
    {
        lock (_lock)
        {
            return _files[name].Snapshot();
        }
    }

    /// <summary>Replaces a file's content durably, for tests that corrupt files.</summary>
    public void WriteAllBytes(string name, ReadOnlySpan<byte> content)
    {
        lock (_lock)
        {
            if (_files.Remove(name, out var old))
            {
                old.Kill();
            }

            var data = new MemoryFileData();
            data.Append(content);
            data.Flush();
            _files[name] = data;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Check(string name, StorageOperation operation)
    {
        if (FailWhen?.Invoke(name, operation) == true)
        {
            throw new IOException($"Injected {operation} failure on '{name}'.");
        }
    }

    private void CountFlush() => Interlocked.Increment(ref _flushCount);
}
