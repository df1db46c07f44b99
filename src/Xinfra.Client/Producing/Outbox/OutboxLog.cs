using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Xinfra.Producing.Outbox;

/// <summary>
/// The on-disk part of a dual-write outbox: append-only segment files <c>{index:D20}.outbox</c> in one directory,
/// frames as written by <see cref="OutboxFrame"/>, and an <c>acked</c> file holding the replay position
/// (<c>segment offset</c>). Appends are positional writes under a lock; <see cref="SyncAsync"/> fsyncs with group
/// commit (one fsync covers every append before it). The replay side reads frames ahead of the acknowledged position
/// and acknowledges them in order; fully acknowledged segments are deleted, and once everything is acknowledged the
/// log starts a fresh segment.
/// Opening the log takes an exclusive lock file, recovers the replay position, checks every unacknowledged frame's
/// CRC and cuts a corrupt tail (a torn last write) with a warning.
/// </summary>
internal sealed partial class OutboxLog : IDisposable
{
    private const string Extension = ".outbox";
    private const string CheckpointFile = "acked";
    private const int CheckpointEvery = 64;

    private readonly string _dir;
    private readonly string _topic;
    private readonly long _segmentBytes;
    private readonly ILogger _logger;
    private readonly FileStream _lockFile;
    private readonly Lock _sync = new();
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private readonly SortedDictionary<long, long> _segments = [];
    private readonly List<SafeFileHandle> _retired = [];
    private SafeFileHandle _write;
    private long _writeIndex;
    private SafeFileHandle? _read;
    private long _readHandleIndex = -1;
    private long _readIndex;
    private long _readPos;
    private long _ackIndex;
    private long _ackPos;
    private long _depth;
    private long _bytes;
    private long _appendSeq;
    private long _durableSeq;
    private int _acksSinceCheckpoint;
    private bool _disposed;

    public OutboxLog(string dir, string topic, long segmentBytes, ILogger logger)
    {
        _dir = dir;
        _topic = topic;
        _segmentBytes = segmentBytes;
        _logger = logger;
        Directory.CreateDirectory(dir);
        try
        {
            _lockFile = new FileStream(Path.Combine(dir, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new XinfraConfigurationException(
                $"Topic '{topic}': the dual-write outbox directory '{dir}' is in use by another producer; give each process its own {XinfraOptions.SectionName}:Topics:{topic}:OutboxPath.",
                ex)
            { Topic = topic, Field = $"{XinfraOptions.SectionName}:Topics:{topic}:OutboxPath" };
        }

        Recover();
        _write = OpenSegment(_writeIndex);
    }

    /// <summary>The directory.</summary>
    public string DirectoryPath => _dir;

    /// <summary>Entries not yet acknowledged by the lagging side.</summary>
    public long Depth => Volatile.Read(ref _depth);

    /// <summary>Bytes on disk of the entries not yet acknowledged.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Appends a frame (not yet durable: call <see cref="SyncAsync"/> with the returned sequence).</summary>
    public long Append(byte[] frame)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var length = _segments[_writeIndex];
            if (length > 0 && length + frame.Length > _segmentBytes)
            {
                Roll();
                length = 0;
            }

            RandomAccess.Write(_write, frame, length);
            _segments[_writeIndex] = length + frame.Length;
            _depth++;
            _bytes += frame.Length;
            return ++_appendSeq;
        }
    }

    /// <summary>Completes once the append numbered <paramref name="sequence"/> is on disk (fsynced).</summary>
    public async ValueTask SyncAsync(long sequence, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _durableSeq) >= sequence)
        {
            return;
        }

        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _durableSeq) >= sequence)
            {
                return;
            }

            SafeFileHandle handle;
            long upTo;
            lock (_sync)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                handle = _write;
                upTo = _appendSeq;
            }

            // Outside the lock, so appends go on meanwhile: the next sync covers them together (group commit). A roll
            // that retires this handle meanwhile leaves it open until the retired handles are released below.
            RandomAccess.FlushToDisk(handle);
            lock (_sync)
            {
                if (upTo > _durableSeq)
                {
                    Volatile.Write(ref _durableSeq, upTo);
                }

                foreach (var retired in _retired)
                {
                    retired.Dispose();
                }

                _retired.Clear();
            }
        }
        finally
        {
            _syncGate.Release();
        }
    }

    /// <summary>Reads the next frame after the last one read (the first unacknowledged one after a restart); false when there is none.</summary>
    public bool TryReadNext(out byte[] payload, out int frameLength)
    {
        SafeFileHandle handle;
        long position;
        long segment;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            while (_readPos >= _segments[_readIndex])
            {
                if (_readIndex == _writeIndex)
                {
                    payload = [];
                    frameLength = 0;
                    return false;
                }

                _readIndex = _segments.Keys.First(k => k > _readIndex);
                _readPos = 0;
            }

            if (_readHandleIndex != _readIndex)
            {
                CloseRead();
                _read = File.OpenHandle(SegmentPath(_readIndex), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _readHandleIndex = _readIndex;
            }

            handle = _read!;
            position = _readPos;
            segment = _readIndex;
        }

        // Only the replay side reads and moves the read handle, so reading outside the lock is safe.
        Span<byte> header = stackalloc byte[OutboxFrame.HeaderBytes];
        RandomAccess.Read(handle, header, position);
        if (!OutboxFrame.TryReadHeader(header, long.MaxValue, out var payloadLength, out var crc))
        {
            throw new InvalidDataException($"outbox '{_dir}': a bad frame header at {position} in segment {segment}");
        }

        payload = new byte[payloadLength];
        if (RandomAccess.Read(handle, payload, position + OutboxFrame.HeaderBytes) != payloadLength || !OutboxFrame.ChecksumMatches(payload, crc))
        {
            throw new InvalidDataException($"outbox '{_dir}': the frame at {position} in segment {segment} fails its checksum");
        }

        frameLength = OutboxFrame.HeaderBytes + payloadLength;
        lock (_sync)
        {
            _readPos += frameLength;
        }

        return true;
    }

    /// <summary>The lagging side acknowledged the oldest unacknowledged frame (read earlier by <see cref="TryReadNext"/>).</summary>
    public void Ack(int frameLength)
    {
        lock (_sync)
        {
            _ackPos += frameLength;
            while (_ackPos >= _segments[_ackIndex] && _ackIndex != _writeIndex)
            {
                // A fully acknowledged segment: the position moves to the next one and the file goes.
                var finished = _ackIndex;
                if (_readHandleIndex == finished)
                {
                    CloseRead();
                }

                _segments.Remove(finished);
                _ackIndex = _segments.Keys.First();
                _ackPos = 0;
                WriteCheckpoint();
                File.Delete(SegmentPath(finished));
            }

            _depth--;
            _bytes -= frameLength;
            if (_depth == 0)
            {
                Reset();
            }
            else if (++_acksSinceCheckpoint >= CheckpointEvery)
            {
                WriteCheckpoint();
            }
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            WriteCheckpoint();
            RandomAccess.FlushToDisk(_write);
            _write.Dispose();
            foreach (var retired in _retired)
            {
                retired.Dispose();
            }

            CloseRead();
            _lockFile.Dispose();
        }

        _syncGate.Dispose();
    }

    private string SegmentPath(long index) => Path.Combine(_dir, index.ToString("D20", CultureInfo.InvariantCulture) + Extension);

    private SafeFileHandle OpenSegment(long index) =>
        File.OpenHandle(SegmentPath(index), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    private void Roll()
    {
        RandomAccess.FlushToDisk(_write);
        Volatile.Write(ref _durableSeq, _appendSeq);
        _retired.Add(_write);
        _writeIndex++;
        _segments[_writeIndex] = 0;
        _write = OpenSegment(_writeIndex);
    }

    /// <summary>Everything was acknowledged: continue in a fresh segment and delete the old ones.</summary>
    private void Reset()
    {
        if (_segments.Count == 1 && _segments[_writeIndex] == 0)
        {
            WriteCheckpoint();
            return;
        }

        var old = _segments.Keys.ToList();
        _retired.Add(_write);
        CloseRead();
        _segments.Clear();
        _writeIndex++;
        _segments[_writeIndex] = 0;
        _write = OpenSegment(_writeIndex);
        _readIndex = _ackIndex = _writeIndex;
        _readPos = _ackPos = 0;

        // Every append so far is acknowledged by the other side, so waiters for its fsync need not wait.
        Volatile.Write(ref _durableSeq, _appendSeq);
        WriteCheckpoint();
        foreach (var index in old)
        {
            File.Delete(SegmentPath(index));
        }
    }

    private void CloseRead()
    {
        _read?.Dispose();
        _read = null;
        _readHandleIndex = -1;
    }

    private void WriteCheckpoint()
    {
        _acksSinceCheckpoint = 0;
        var path = Path.Combine(_dir, CheckpointFile);
        var temp = path + ".tmp";
        File.WriteAllText(temp, string.Create(CultureInfo.InvariantCulture, $"{_ackIndex} {_ackPos}"));
        File.Move(temp, path, overwrite: true);
    }
}
