using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Segments;

namespace Xinfra.Northguard.Storage;

public sealed partial class FpsStore
{
    /// <summary>
    /// Seals a segment: stops appends, waits until everything appended is durable, writes the footer, fsyncs the file
    /// and records the seal durably in the index. Sealing a sealed segment does nothing.
    /// </summary>
    public async ValueTask SealSegmentAsync(long segmentId, CancellationToken cancellationToken = default)
    {
        long last;
        Segment segment;
        lock (_appendLock)
        {
            ThrowIfUnavailable();
            segment = GetSegmentOrThrow(segmentId);
            segment.ThrowIfRefused();
            segment.SealRequested = true;
            last = segment.AssignedNext - 1;
        }

        if (last >= segment.Header.BaseOffset)
        {
            await WaitForDurableAsync(segmentId, last, cancellationToken).ConfigureAwait(false);
        }

        lock (_maintenanceLock)
        {
            if (segment.IsSealed || segment.IsDeleted)
            {
                return;
            }

            ThrowIfUnavailable();
            var seal = segment.Seal(_time.GetUtcNow().ToUnixTimeMilliseconds());
            _index.MarkSealed(segmentId, seal);
        }
    }

    /// <summary>
    /// Deletes the sealed segments of <paramref name="topic"/> whose newest record is older than
    /// <see cref="RetentionPolicy.MaxAge"/>, then the oldest sealed ones while the topic exceeds
    /// <see cref="RetentionPolicy.MaxBytes"/>. Open segments are never deleted. Returns the deleted segment ids.
    /// </summary>
    public IReadOnlyList<long> ApplyRetention(string topic, RetentionPolicy policy)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(policy);
        var deleted = new List<long>();
        lock (_maintenanceLock)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var ofTopic = _segments.Values.Where(s => !s.IsDeleted && s.Header.Topic == topic).ToList();
            var total = ofTopic.Sum(s => s.File.Length);
            foreach (var s in ofTopic.Where(s => s.IsSealed).OrderBy(s => s.Header.CreatedAt).ThenBy(s => s.Id))
            {
                var newest = s.View.MaxTimestamp == long.MinValue ? s.Header.CreatedAt : s.View.MaxTimestamp;
                var tooOld = policy.MaxAge is { } age && newest < now - (long)age.TotalMilliseconds;
                var tooBig = policy.MaxBytes is { } max && total > max;
                if (tooOld || tooBig)
                {
                    var size = s.File.Length;
                    Delete(s);
                    total -= size;
                    deleted.Add(s.Id);
                    Log.RetentionDeleted(_logger, s.Id, topic, size);
                }
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes one segment (its file and index entries), open or sealed: for segments the cluster no longer keeps.
    /// Reads of its offsets then fail as trimmed. Returns false when the segment does not exist.
    /// </summary>
    public bool DeleteSegment(long segmentId)
    {
        lock (_maintenanceLock)
        {
            if (!_segments.TryGetValue(segmentId, out var segment) || segment.IsDeleted)
            {
                return false;
            }

            long size = segment.File.Length;
            Delete(segment);
            Log.RetentionDeleted(_logger, segment.Id, segment.Header.Topic, size);
            return true;
        }
    }

    private void Delete(Segment segment)
    {
        _deleted[segment.Id] = (segment.Header.BaseOffset, segment.View.Next);
        segment.IsDeleted = true;
        _segments.TryRemove(segment.Id, out _);
        _index.RemoveSegment(segment.Id);
        segment.Dispose();
        _device.Delete(segment.File.Name);
    }
}
