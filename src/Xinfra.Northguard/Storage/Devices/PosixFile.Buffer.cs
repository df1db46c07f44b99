using System.Runtime.InteropServices;

namespace Xinfra.Northguard.Storage.Devices;

/// <summary>The O_DIRECT write-behind buffer of <see cref="PosixFile"/>.</summary>
internal sealed unsafe partial class PosixFile
{
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
