using System.Globalization;
using System.Text;
using Xinfra.Transport;

namespace Xinfra.Migration;

/// <summary>
/// Whether a record read during a migration is new to the group: a source record unless its offset was delivered
/// from its target copy; a target record unless its source copy was delivered (by its <c>xinfra-src</c> header).
/// </summary>
internal sealed class DeliveryFilter
{
    private readonly MigrationCheckpoint _checkpoint;
    private readonly bool _readsTarget;
    private readonly Dictionary<long, OffsetIntervals> _delivered = [];
    private readonly HashSet<(long, long)> _recent = [];
    private readonly Queue<(long, long)> _recentOrder = new();
    private const int RecentCapacity = 100_000;

    public DeliveryFilter(MigrationCheckpoint checkpoint, bool readsTarget)
    {
        _checkpoint = checkpoint;
        _readsTarget = readsTarget;
        foreach (var partition in checkpoint.SourceDelivered.Keys)
        {
            _delivered[partition] = checkpoint.Delivered(partition);
        }
    }

    public MigrationCheckpoint Checkpoint => _checkpoint;

    public bool ShouldDeliver(IncomingRecord record) =>
        _readsTarget
            ? ShouldDeliver(record.Position.Partition, record.Position.Offset, SourcePosition(record))
            : ShouldDeliver(record.Position.Partition, record.Position.Offset, null);

    /// <summary>
    /// The decision on coordinates alone: a record at (<paramref name="partition"/>, <paramref name="offset"/>) of the
    /// epoch this filter reads, whose target copy (when reading the target) carries <paramref name="source"/>.
    /// </summary>
    public bool ShouldDeliver(long partition, long offset, (long Partition, long Offset)? source)
    {
        if (!_readsTarget)
        {
            return !_checkpoint.WasDelivered(partition, offset, _delivered);
        }

        if (source is not { } src)
        {
            return true;
        }

        if (_checkpoint.WasDelivered(src.Partition, src.Offset, _delivered))
        {
            return false;
        }

        // Two target copies of one source record (a mirror run repeated after a crash) share a key, so they land in
        // the same partition and reach the same member: deliver the first only.
        if (!_recent.Add(src))
        {
            return false;
        }

        _recentOrder.Enqueue(src);
        if (_recentOrder.Count > RecentCapacity)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        return true;
    }

    /// <summary>The source coordinates a target copy carries, or null for a record written only to the target.</summary>
    public static (long Partition, long Offset)? SourcePosition(IncomingRecord record)
    {
        for (var i = record.Headers.Count - 1; i >= 0; i--)
        {
            if (record.Headers[i].Name == RecordHeaderNames.SourcePosition)
            {
                var text = Encoding.UTF8.GetString(record.Headers[i].Value.Span);
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0
                    && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                    && long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
                {
                    return (partition, offset);
                }

                throw new CorruptDataException($"Record {record.Position} on cluster '{record.Cluster}' has a malformed {RecordHeaderNames.SourcePosition} header '{text}'; expected partition:offset.", record.Position.Topic, record.Position.Offset);
            }
        }

        return null;
    }
}
