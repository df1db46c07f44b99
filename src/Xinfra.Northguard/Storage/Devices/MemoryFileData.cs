namespace Xinfra.Northguard.Storage.Devices;

/// <summary>The bytes of one memory file: the current content plus the operations not yet flushed.</summary>
internal sealed class MemoryFileData
{
    private readonly Lock _lock = new();
    private readonly List<(long Truncate, byte[]? Data)> _unsynced = [];
    private byte[] _current = new byte[256];
    private byte[] _durable = [];
    private long _durableLength;
    private long _length;

    // The durable bytes are [0, _durableLength) of _durable; a flush copies only what changed since the last one
    // (everything from the lowest truncation point), so fsyncs of a growing log cost O(new bytes), not O(file).
    private long _lowestChange = long.MaxValue;

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
            _lowestChange = Math.Min(_lowestChange, _length);
            Write(bytes);
            _unsynced.Add((-1, bytes.ToArray()));
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
            long from = Math.Min(_lowestChange, Math.Min(_durableLength, _length));
            if (_durable.Length < _length)
            {
                Array.Resize(ref _durable, (int)Math.Max(_length, _durable.Length * 2L));
            }

            _current.AsSpan((int)from, (int)(_length - from)).CopyTo(_durable.AsSpan((int)from));
            _durableLength = _length;
            _lowestChange = long.MaxValue;
            _unsynced.Clear();
        }
    }

    public void Truncate(long length)
    {
        lock (_lock)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
            _length = length;
            _lowestChange = Math.Min(_lowestChange, length);
            _unsynced.Add((length, null));
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
            survivor.Write(_durable.AsSpan(0, (int)_durableLength));
            var keep = random.Next(_unsynced.Count + 1);
            for (var i = 0; i < keep; i++)
            {
                var (truncate, data) = _unsynced[i];
                if (data is null)
                {
                    survivor._length = Math.Min(survivor._length, truncate);
                }
                else if (i == keep - 1 && random.Next(2) == 0)
                {
                    // The last write that reached the disk is torn: a prefix, then maybe garbage.
                    var torn = data.AsSpan(0, random.Next(data.Length + 1)).ToArray();
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

            survivor._durable = survivor._current.AsSpan(0, (int)survivor._length).ToArray();
            survivor._durableLength = survivor._length;
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
}
