namespace Xinfra.Northguard.Storage.Devices;

public sealed partial class MemoryStorageDevice
{
    /// <summary>A handle on a memory file; dies when the device crashes or the file is deleted.</summary>
    private sealed class MemoryFile(MemoryStorageDevice device, string name, MemoryFileData data) : IStorageFile
    {
        private bool _disposed;

        public string Name => name;

        public long Length => Live().Length;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            var d = Live();
            device.Check(name, StorageOperation.Write);
            d.Append(bytes);
        }

        public int Read(long position, Span<byte> buffer)
        {
            var d = Live();
            device.Check(name, StorageOperation.Read);
            return d.Read(position, buffer);
        }

        public void Flush()
        {
            var d = Live();
            device.Check(name, StorageOperation.Flush);
            d.Flush();
            device.CountFlush();
        }

        public void Truncate(long length) => Live().Truncate(length);

        public void Dispose() => _disposed = true;

        private MemoryFileData Live()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (data.IsDead)
            {
                throw new IOException($"File '{name}' is gone: the device crashed or the file was deleted.");
            }

            return data;
        }
    }
}
