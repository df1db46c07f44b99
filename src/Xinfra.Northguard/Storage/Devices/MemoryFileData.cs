namespace Xinfra.Northguard.Storage.Devices;

/// <summary>The bytes of one memory file: the current content plus the operations not yet flushed.</summary>
/// <remarks>
/// One array holds the current content. The durable content is never copied: it is the current content up to
/// <see cref="_durablePrefix"/> followed by <see cref="_durableTail"/>, the durable bytes a truncation since the last
/// flush cut off (saved only then, which is rare: recovery cutting a torn tail). An unsynced append is remembered as a
/// range of the current content, its bytes copied out only when a truncation is about to let them be overwritten.
/// So a flush costs nothing per byte and an append copies its bytes once, into the file.
/// </remarks>
internal sealed class MemoryFileData
{
    private readonly Lock _lock = new();
    private readonly List<UnsyncedWrite> _unsynced = [];
    private byte[] _current = new byte[256];
    private long _length;

    // Durable content = _current[0, _durablePrefix) + _durableTail.
    private long _durablePrefix;
    private byte[] _durableTail = [];

    public bool IsDead { get; private set; }

    public long Length
    {
        get
        {
            lock (_lock)
            {
                return _length;
            }
        }
    }

    public void Kill() => IsDead = true;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            _unsynced.Add(new UnsyncedWrite(-1, _length, bytes.Length, null));
            Write(bytes);
        }
    }

    public int Read(long position, Span<byte> buffer)
    {
        lock (_lock)
        {
            if (position >= _length)
            {
                return 0;
            }

            var n = (int)Math.Min(buffer.Length, _length - position);
            _current.AsSpan((int)position, n).CopyTo(buffer);
            return n;
        }
    }

    public void Flush()
    {
        lock (_lock)
        {
            _durablePrefix = _length;
            _durableTail = [];
            _unsynced.Clear();
        }
    }

    public void Truncate(long length)
    {
        lock (_lock)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);

            // Bytes at and above `length` may be overwritten by later appends: save what a crash could still need.
            if (length < _durablePrefix)
            {
                _durableTail = [.. _current.AsSpan((int)length, (int)(_durablePrefix - length)), .. _durableTail];
                _durablePrefix = length;
            }

            for (var i = 0; i < _unsynced.Count; i++)
            {
                var write = _unsynced[i];
                if (write.Data is null && write.Length > 0 && write.Position + write.Length > length)
                {
                    _unsynced[i] = write with { Data = _current.AsSpan((int)write.Position, write.Length).ToArray() };
                }
            }

            _length = length;
            _unsynced.Add(new UnsyncedWrite(length, 0, 0, null));
        }
    }

    public byte[] Snapshot()
    {
        lock (_lock)
        {
            return _current.AsSpan(0, (int)_length).ToArray();
        }
    }

    /// <summary>Kills this copy and returns what survives a power loss.</summary>
    public MemoryFileData Crash(Random random)
    {
        lock (_lock)
        {
            IsDead = true;
            var survivor = new MemoryFileData();
            survivor.Write(_current.AsSpan(0, (int)_durablePrefix));
            survivor.Write(_durableTail);
            var keep = random.Next(_unsynced.Count + 1);
            for (var i = 0; i < keep; i++)
            {
                var write = _unsynced[i];
                if (write.Truncate >= 0)
                {
                    survivor._length = Math.Min(survivor._length, write.Truncate);
                    continue;
                }

                ReadOnlySpan<byte> data = write.Data is { } saved ? saved : _current.AsSpan((int)write.Position, write.Length);
                if (i == keep - 1 && random.Next(2) == 0)
                {
                    // The last write that reached the disk is torn: a prefix, then maybe garbage.
                    var torn = data[..random.Next(data.Length + 1)];
                    survivor.Write(torn);
                    if (random.Next(2) == 0)
                    {
                        var garbage = new byte[data.Length - torn.Length];
                        random.NextBytes(garbage);
                        survivor.Write(garbage);
                    }
                }
                else
                {
                    survivor.Write(data);
                }
            }

            survivor._durablePrefix = survivor._length;
            return survivor;
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        var needed = _length + bytes.Length;
        if (needed > _current.Length)
        {
            Array.Resize(ref _current, (int)Math.Max(needed, _current.Length * 2L));
        }

        bytes.CopyTo(_current.AsSpan((int)_length));
        _length = needed;
    }

    /// <summary>
    /// An operation since the last flush: a truncation (<c>Truncate</c> ≥ 0) or an append of <c>Length</c> bytes at
    /// <c>Position</c> of the current content (or in <c>Data</c> once a truncation made them overwritable).
    /// </summary>
    private readonly record struct UnsyncedWrite(long Truncate, long Position, int Length, byte[]? Data);
}
