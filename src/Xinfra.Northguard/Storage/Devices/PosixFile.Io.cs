using System.Runtime.InteropServices;

namespace Xinfra.Northguard.Storage.Devices;

internal sealed unsafe partial class PosixFile
{
    /// <inheritdoc />
    public int Read(long position, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var n = (int)Math.Min(buffer.Length, Volatile.Read(ref _length) - position);
        if (n <= 0)
        {
            return 0;
        }

        if (!_direct)
        {
            fixed (byte* p = buffer)
            {
                ReadFully(p, n, position, n);
            }

            return n;
        }

        // The range not yet written out is served from the write-behind buffer.
        var onDisk = n;
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (position + n > _bufferStart)
            {
                var from = Math.Max(position, _bufferStart);
                new ReadOnlySpan<byte>(_scratch + (from - _bufferStart), (int)(position + n - from)).CopyTo(buffer[(int)(from - position)..]);
                onDisk = (int)Math.Max(0, _bufferStart - position);
            }
        }

        if (onDisk == 0)
        {
            return n;
        }

        // O_DIRECT reads need an aligned buffer, offset and size: read the enclosing blocks and copy. Everything
        // below the buffer start is complete on disk and block aligned at its end.
        var start = position / Block * Block;
        var size = RoundUp(position + onDisk) - start;
        var aligned = (byte*)NativeMemory.AlignedAlloc((nuint)size, Block);
        try
        {
            ReadFully(aligned, size, start, (int)(position - start) + onDisk);
            new ReadOnlySpan<byte>(aligned + (position - start), onDisk).CopyTo(buffer);
            return n;
        }
        finally
        {
            NativeMemory.AlignedFree(aligned);
        }
    }

    private void WriteFully(byte* data, nuint count, long offset)
    {
        while (count > 0)
        {
            var written = LibC.PWrite(_fd, data, count, offset);
            if (written < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EIntr)
                {
                    continue;
                }

                throw LibC.Error("pwrite", _path);
            }

            data += written;
            count -= (nuint)written;
            offset += written;
        }
    }

    /// <summary>Reads <paramref name="capacity"/> bytes (fewer at end of file) and checks at least <paramref name="needed"/> came back.</summary>
    private void ReadFully(byte* buffer, long capacity, long offset, int needed)
    {
        long got = 0;
        while (got < needed)
        {
            var n = LibC.PRead(_fd, buffer + got, (nuint)(capacity - got), offset + got);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.EIntr)
                {
                    continue;
                }

                throw LibC.Error("pread", _path);
            }

            if (n == 0)
            {
                throw new IOException($"Short read on '{_path}' at {offset + got}: the file ended early.");
            }

            got += n;
        }
    }
}
