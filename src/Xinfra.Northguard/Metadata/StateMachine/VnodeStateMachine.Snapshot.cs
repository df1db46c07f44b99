using System.Text;
using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>
/// The snapshot format: magic <c>XNMV</c>, version 2 (1 lacks segment seal times and sizes), vnode, next range sequence, then topics, ranges with their
/// segments, ACLs and config documents, each sorted by key, so equal states give equal bytes.
/// </summary>
public sealed partial class VnodeStateMachine
{
    private const uint Magic = 0x564D4E58; // "XNMV"
    private const byte SnapshotVersion = 2;

    /// <summary>Encodes the whole state.</summary>
    public byte[] CreateSnapshot()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(SnapshotVersion);
            w.Write(Vnode);
            w.Write(_nextRangeSequence);
            var names = _topics.Keys.ToArray();
            Array.Sort(names, StringComparer.Ordinal);
            w.Write(names.Length);
            foreach (string name in names)
            {
                var topic = _topics[name];
                w.Write(name);
                MetadataCommandCodec.WritePolicy(w, topic.Policy);
                WriteRangeIds(w, topic.Ranges);
            }

            var ranges = _ranges.Keys.ToArray();
            Array.Sort(ranges, (a, b) => a.Value.CompareTo(b.Value));
            w.Write(ranges.Length);
            foreach (var id in ranges)
            {
                var r = _ranges[id];
                w.Write(id.Value);
                w.Write(r.Topic);
                w.Write(r.KeyStart);
                w.Write(r.KeyEnd);
                w.Write((byte)r.State);
                WriteRangeIds(w, r.Parents);
                WriteRangeIds(w, r.Children);
                w.Write(r.SegmentCount);
                for (int s = 0; s < r.SegmentCount; s++)
                {
                    var segment = _segments[new SegmentId(id, s)];
                    w.Write((byte)segment.State);
                    MetadataCommandCodec.WriteIds(w, segment.Replicas);
                    w.Write(segment.EndOffset);
                    w.Write(segment.SealedAtUnixMs);
                    w.Write(segment.SizeBytes);
                }
            }

            WriteAclsAndDocuments(w);
        }

        return stream.ToArray();
    }

    /// <summary>Replaces the whole state by a snapshot (an empty snapshot means the empty state).</summary>
    /// <exception cref="FormatException">The bytes are not a snapshot of this vnode.</exception>
    public void Restore(ReadOnlyMemory<byte> snapshot)
    {
        _topics.Clear();
        _ranges.Clear();
        _segments.Clear();
        _acls.Clear();
        _documents.Clear();
        _nextRangeSequence = 0;
        if (snapshot.IsEmpty)
        {
            return;
        }

        using var r = new BinaryReader(new MemoryStream(snapshot.ToArray()), Encoding.UTF8);
        byte version = 0;
        if (r.ReadUInt32() != Magic || (version = r.ReadByte()) is < 1 or > SnapshotVersion || r.ReadInt32() != Vnode)
        {
            throw new FormatException("Not a metadata snapshot of this vnode.");
        }

        _nextRangeSequence = r.ReadInt64();
        int topics = r.ReadInt32();
        for (int i = 0; i < topics; i++)
        {
            string name = r.ReadString();
            _topics[name] = new TopicInfo(name, MetadataCommandCodec.ReadPolicy(r), ReadRangeIds(r));
        }

        int ranges = r.ReadInt32();
        for (int i = 0; i < ranges; i++)
        {
            var id = new RangeId(r.ReadUInt64());
            var range = new RangeInfo(id, r.ReadString(), r.ReadUInt64(), r.ReadUInt64(), (RangeState)r.ReadByte(),
                ReadRangeIds(r), ReadRangeIds(r), r.ReadInt32());
            _ranges[id] = range;
            for (int s = 0; s < range.SegmentCount; s++)
            {
                var sid = new SegmentId(id, s);
                var segment = new SegmentInfo(sid, (SegmentState)r.ReadByte(), MetadataCommandCodec.ReadIds(r), r.ReadInt64());
                _segments[sid] = version >= 2 ? segment with { SealedAtUnixMs = r.ReadInt64(), SizeBytes = r.ReadInt64() } : segment;
            }
        }

        ReadAclsAndDocuments(r);
    }

    private static void WriteRangeIds(BinaryWriter w, IReadOnlyList<RangeId> ids)
    {
        w.Write(ids.Count);
        foreach (var id in ids)
        {
            w.Write(id.Value);
        }
    }

    private static RangeId[] ReadRangeIds(BinaryReader r)
    {
        int count = r.ReadInt32();
        var ids = new RangeId[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = new RangeId(r.ReadUInt64());
        }

        return ids;
    }
}
