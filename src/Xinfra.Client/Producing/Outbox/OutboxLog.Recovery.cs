using System.Globalization;
using Xinfra.Monitoring;

namespace Xinfra.Producing.Outbox;

/// <summary>
/// Opening an outbox: the replay position from the <c>acked</c> file, segments behind it deleted, every frame after it
/// checked (length, CRC-32, decodable) and a corrupt tail cut with a warning.
/// </summary>
internal sealed partial class OutboxLog
{
    private (long Index, long Position) ReadCheckpoint()
    {
        var path = Path.Combine(_dir, CheckpointFile);
        if (!File.Exists(path))
        {
            return (0, 0);
        }

        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            return (index, position);
        }

        Log.OutboxCheckpointUnreadable(_logger, _topic, path);
        return (0, 0);
    }

    private void Recover()
    {
        var (ackIndex, ackPos) = ReadCheckpoint();
        var indexes = new List<long>();
        foreach (var file in Directory.GetFiles(_dir, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                indexes.Add(index);
            }
        }

        indexes.Sort();
        foreach (var index in indexes)
        {
            if (index < ackIndex)
            {
                File.Delete(SegmentPath(index));
                continue;
            }

            var from = index == ackIndex ? ackPos : 0;
            _segments[index] = Scan(index, ref from);
            if (index == ackIndex)
            {
                ackPos = from;
            }
        }

        if (_segments.Count == 0)
        {
            _segments[ackIndex] = 0;
            ackPos = 0;
        }

        _writeIndex = _segments.Keys.Last();
        if (_segments.ContainsKey(ackIndex))
        {
            _ackIndex = ackIndex;
            _ackPos = ackPos;
        }
        else
        {
            _ackIndex = _segments.Keys.First();
            _ackPos = 0;
        }

        _readIndex = _ackIndex;
        _readPos = _ackPos;
    }

    /// <summary>Validates a segment's frames from <paramref name="from"/>; cuts a corrupt tail; returns the valid length.</summary>
    private long Scan(long index, ref long from)
    {
        var path = SegmentPath(index);
        long valid;
        long fileLength;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            fileLength = file.Length;
            from = Math.Min(from, fileLength);
            valid = from;
            var header = new byte[OutboxFrame.HeaderBytes];
            while (valid < fileLength)
            {
                file.Position = valid;
                if (fileLength - valid < OutboxFrame.HeaderBytes
                    || file.Read(header) != header.Length
                    || !OutboxFrame.TryReadHeader(header, fileLength - valid, out var length, out var crc))
                {
                    break;
                }

                var payload = new byte[length];
                file.ReadExactly(payload);
                if (!OutboxFrame.ChecksumMatches(payload, crc))
                {
                    break;
                }

                try
                {
                    OutboxFrame.Decode(_topic, payload);
                }
                catch (InvalidDataException)
                {
                    break;
                }

                valid += OutboxFrame.HeaderBytes + length;
                _depth++;
                _bytes += OutboxFrame.HeaderBytes + length;
            }
        }

        if (valid < fileLength)
        {
            Log.OutboxTailCut(_logger, _topic, path, valid, fileLength);
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(valid);
            file.Flush(flushToDisk: true);
        }

        return valid;
    }
}
