using System.Runtime.InteropServices;

namespace Xinfra.Northguard.Storage.Devices;

/// <summary>
/// A Linux file opened with O_DIRECT (aligned buffers from <see cref="NativeMemory.AlignedAlloc"/>, the partial tail
/// block kept in memory and rewritten on the next append) or buffered (plain pwrite). Durability is fdatasync.
/// </summary>
internal sealed unsafe partial class PosixFile : IStorageFile
{
    public const int Block = 4096;
    private readonly Lock _writeLock = new();
    private readonly string _path;
    private readonly bool _direct;
    private readonly int _fd;
    private byte* _scratch;
    private nuint _scratchSize;
    private long _length;
    private bool _tailLoaded;
    private bool _disposed;

    private PosixFile(string name, string path, int fd, bool direct)
    {
        Name = name;
        _path = path;
        _fd = fd;
        _direct = direct;
        _length = LibC.LSeek(fd, 0, 2);
        if (_length < 0)
        {
            throw LibC.Error("lseek", path);
        }

        EnsureScratch(Block);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long Length => Volatile.Read(ref _length);

    /// <summary>Opens a file; with <paramref name="direct"/> returns null when the filesystem refuses O_DIRECT.</summary>
    public static PosixFile? TryOpen(string name, string path, bool create, bool direct)
    {
        var flags = LibC.ORdWr | LibC.OCloExec | (create ? LibC.OCreat : 0) | (direct ? LibC.ODirect : 0);
        var fd = LibC.Open(path, flags, 0x1A4);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (direct && errno == LibC.EInval)
            {
                return null;
            }

            if (errno == 2)
            {
                throw new FileNotFoundException($"File '{path}' does not exist.", path);
            }

            throw LibC.Error("open", path);
        }

        return new PosixFile(name, path, fd, direct);
    }

    /// <inheritdoc />
    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_direct)
            {
                fixed (byte* p = data)
                {
                    WriteFully(p, (nuint)data.Length, _length);
                }

                Volatile.Write(ref _length, _length + data.Length);
                return;
            }

            var tail = (int)(_length % Block);
            var start = _length - tail;
            var total = tail + data.Length;
            var padded = RoundUp(total);
            EnsureScratch(padded);
            if (tail > 0 && !_tailLoaded)
            {
                ReadFully(_scratch, Block, start, tail);
            }

            data.CopyTo(new Span<byte>(_scratch + tail, data.Length));
            new Span<byte>(_scratch + total, (int)(padded - total)).Clear();
            WriteFully(_scratch, (nuint)padded, start);
            var newLength = _length + data.Length;
            var newTail = (int)(newLength % Block);
            new Span<byte>(_scratch + (newLength - newTail - start), newTail).CopyTo(new Span<byte>(_scratch, newTail));
            _tailLoaded = true;
            Volatile.Write(ref _length, newLength);
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (LibC.FDataSync(_fd) != 0)
        {
            throw LibC.Error("fdatasync", _path);
        }
    }

    /// <inheritdoc />
    public void Truncate(long length)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (LibC.FTruncate(_fd, length) != 0)
            {
                throw LibC.Error("ftruncate", _path);
            }

            Volatile.Write(ref _length, length);
            _tailLoaded = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_direct)
            {
                // Direct appends pad the last block with zeros; give the file its exact length back.
                _ = LibC.FTruncate(_fd, _length);
            }

            _ = LibC.Close(_fd);
            NativeMemory.AlignedFree(_scratch);
            _scratch = null;
        }
    }

    private static long RoundUp(long value) => (value + Block - 1) / Block * Block;

    private void EnsureScratch(long size)
    {
        if ((nuint)size <= _scratchSize)
        {
            return;
        }

        var newSize = (nuint)RoundUp(Math.Max(size, (long)_scratchSize * 2));
        var fresh = (byte*)NativeMemory.AlignedAlloc(newSize, Block);
        if (_scratch != null)
        {
            new Span<byte>(_scratch, Block).CopyTo(new Span<byte>(fresh, Block));
            NativeMemory.AlignedFree(_scratch);
        }

        _scratch = fresh;
        _scratchSize = newSize;
    }
}
