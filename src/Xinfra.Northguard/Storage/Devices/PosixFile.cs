using System.Runtime.InteropServices;

namespace Xinfra.Northguard.Storage.Devices;

/// <summary>
/// A Linux file opened with O_DIRECT or buffered; durability is fdatasync. With O_DIRECT, appends collect in an
/// aligned buffer from <see cref="NativeMemory.AlignedAlloc"/> (starting at the block that holds the partial tail) and
/// are written with one aligned pwrite once <see cref="WriteBehindBytes"/> accumulate, or on flush, truncate and close;
/// reads of that not-yet-written range are served from the buffer.
/// </summary>
internal sealed unsafe partial class PosixFile : IStorageFile
{
    public const int Block = 4096;
    public const int WriteBehindBytes = 256 * 1024;
    private readonly Lock _writeLock = new();
    private readonly string _path;
    private readonly bool _direct;
    private readonly int _fd;
    private byte* _scratch;
    private nuint _scratchSize;
    private long _bufferStart;
    private long _length;
    private bool _dirty;
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

        EnsureScratch(WriteBehindBytes + Block);
        LoadTail();
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

            var used = _length - _bufferStart;
            EnsureScratch(RoundUp(used + data.Length));
            data.CopyTo(new Span<byte>(_scratch + used, data.Length));
            _dirty = true;
            Volatile.Write(ref _length, _length + data.Length);
            if (_length - _bufferStart >= WriteBehindBytes)
            {
                WriteOut();
            }
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WriteOut();
        }

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
            WriteOut();
            if (LibC.FTruncate(_fd, length) != 0)
            {
                throw LibC.Error("ftruncate", _path);
            }

            Volatile.Write(ref _length, length);
            LoadTail();
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
            try
            {
                WriteOut();
            }
            finally
            {
                if (_direct)
                {
                    // Direct writes pad the last block with zeros; give the file its exact length back.
                    _ = LibC.FTruncate(_fd, _length);
                }

                _ = LibC.Close(_fd);
                NativeMemory.AlignedFree(_scratch);
                _scratch = null;
            }
        }
    }

    private static long RoundUp(long value) => (value + Block - 1) / Block * Block;

    /// <summary>Writes the buffered range with one aligned pwrite and keeps only the partial tail block buffered.</summary>
    private void WriteOut()
    {
        if (!_direct || !_dirty)
        {
            return;
        }

        var used = _length - _bufferStart;
        var padded = RoundUp(used);
        new Span<byte>(_scratch + used, (int)(padded - used)).Clear();
        WriteFully(_scratch, (nuint)padded, _bufferStart);
        var newStart = _length / Block * Block;
        var tail = (int)(_length - newStart);
        new Span<byte>(_scratch + (newStart - _bufferStart), tail).CopyTo(new Span<byte>(_scratch, tail));
        _bufferStart = newStart;
        _dirty = false;
    }

    /// <summary>Points the buffer at the block holding the end of the file and loads that block's bytes.</summary>
    private void LoadTail()
    {
        _bufferStart = _direct ? _length / Block * Block : _length;
        var tail = (int)(_length - _bufferStart);
        if (tail > 0)
        {
            ReadFully(_scratch, Block, _bufferStart, tail);
        }
    }

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
            new Span<byte>(_scratch, (int)(_length - _bufferStart)).CopyTo(new Span<byte>(fresh, (int)newSize));
            NativeMemory.AlignedFree(_scratch);
        }

        _scratch = fresh;
        _scratchSize = newSize;
    }
}
