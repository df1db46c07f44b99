using System.Text;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;

namespace Xinfra.Northguard.Metadata.Commands;

/// <summary>The log-entry encoding of <see cref="MetadataCommand"/>s: a version byte, a type byte, then fields.</summary>
public static class MetadataCommandCodec
{
    private const byte Version = 1;

    /// <summary>Encodes a command.</summary>
    public static byte[] Encode(MetadataCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8))
        {
            w.Write(Version);
            switch (command)
            {
                case CreateTopicCommand c:
                    w.Write((byte)1);
                    w.Write(c.Name);
                    WritePolicy(w, c.Policy);
                    w.Write(c.InitialRanges);
                    break;
                case DeleteTopicCommand c:
                    w.Write((byte)2);
                    w.Write(c.Name);
                    break;
                case SplitRangeCommand c:
                    w.Write((byte)3);
                    w.Write(c.Range.Value);
                    w.Write(c.At);
                    break;
                case MergeRangesCommand c:
                    w.Write((byte)4);
                    w.Write(c.Left.Value);
                    w.Write(c.Right.Value);
                    break;
                case OpenSegmentCommand c:
                    w.Write((byte)5);
                    w.Write(c.Range.Value);
                    WriteIds(w, c.Replicas);
                    break;
                case SealSegmentCommand c:
                    w.Write((byte)6);
                    w.Write(c.Segment.Range.Value);
                    w.Write(c.Segment.Sequence);
                    w.Write(c.EndOffset);
                    w.Write(c.SealedAtUnixMs); // Trailing fields: entries written before them decode as unknown (-1).
                    w.Write(c.SizeBytes);
                    break;
                case ReplaceReplicaCommand c:
                    w.Write((byte)7);
                    w.Write(c.Segment.Range.Value);
                    w.Write(c.Segment.Sequence);
                    w.Write(c.From);
                    w.Write(c.To);
                    break;
                case SetAclCommand c:
                    w.Write((byte)8);
                    w.Write(c.Topic);
                    w.Write(c.Principal);
                    w.Write((byte)c.Operations);
                    break;
                case PutDocumentCommand c:
                    w.Write((byte)9);
                    w.Write(c.Key);
                    w.Write(c.ExpectedVersion);
                    w.Write(c.Content.Length);
                    w.Write(c.Content.Span);
                    break;
                case DeleteSegmentsCommand c:
                    w.Write((byte)32);
                    w.Write(c.Range.Value);
                    w.Write(c.ThroughSequence);
                    break;
                default:
                    throw new ArgumentException($"Unknown command {command.GetType().Name}.", nameof(command));
            }
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a command written by <see cref="Encode"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a command of a known version.</exception>
    public static MetadataCommand Decode(ReadOnlyMemory<byte> data)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(data.ToArray()), Encoding.UTF8);
            if (r.ReadByte() != Version)
            {
                throw new FormatException("Unknown metadata command version.");
            }

            return r.ReadByte() switch
            {
                1 => new CreateTopicCommand(r.ReadString(), ReadPolicy(r), r.ReadInt32()),
                2 => new DeleteTopicCommand(r.ReadString()),
                3 => new SplitRangeCommand(new RangeId(r.ReadUInt64()), r.ReadUInt64()),
                4 => new MergeRangesCommand(new RangeId(r.ReadUInt64()), new RangeId(r.ReadUInt64())),
                5 => new OpenSegmentCommand(new RangeId(r.ReadUInt64()), ReadIds(r)),
                6 => ReadSeal(r),
                7 => new ReplaceReplicaCommand(new SegmentId(new RangeId(r.ReadUInt64()), r.ReadInt32()), r.ReadUInt64(), r.ReadUInt64()),
                8 => new SetAclCommand(r.ReadString(), r.ReadString(), (AclOperations)r.ReadByte()),
                9 => ReadPutDocument(r),
                32 => new DeleteSegmentsCommand(new RangeId(r.ReadUInt64()), r.ReadInt32()),
                _ => throw new FormatException("Unknown metadata command type."),
            };
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("Truncated metadata command.", e);
        }
    }

    private static SealSegmentCommand ReadSeal(BinaryReader r)
    {
        var command = new SealSegmentCommand(new SegmentId(new RangeId(r.ReadUInt64()), r.ReadInt32()), r.ReadInt64());
        if (r.BaseStream.Position < r.BaseStream.Length)
        {
            command = command with { SealedAtUnixMs = r.ReadInt64() };
        }

        return r.BaseStream.Position < r.BaseStream.Length ? command with { SizeBytes = r.ReadInt64() } : command;
    }

    private static PutDocumentCommand ReadPutDocument(BinaryReader r)
    {
        string key = r.ReadString();
        long expected = r.ReadInt64();
        return new PutDocumentCommand(key, ReadBytes(r), expected);
    }

    internal static byte[] ReadBytes(BinaryReader r)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new FormatException("Bad byte count.");
        }

        return r.ReadBytes(length);
    }

    internal static void WritePolicy(BinaryWriter w, StoragePolicy p)
    {
        w.Write(p.ReplicationFactor);
        w.Write(p.RetentionTime?.Ticks ?? -1);
        w.Write(p.RetentionBytes ?? -1);
        w.Write(p.SegmentBytes);
        w.Write(p.SegmentAge.Ticks);
    }

    internal static StoragePolicy ReadPolicy(BinaryReader r)
    {
        int rf = r.ReadInt32();
        long retention = r.ReadInt64();
        long retentionBytes = r.ReadInt64();
        return new StoragePolicy
        {
            ReplicationFactor = rf,
            RetentionTime = retention < 0 ? null : TimeSpan.FromTicks(retention),
            RetentionBytes = retentionBytes < 0 ? null : retentionBytes,
            SegmentBytes = r.ReadInt64(),
            SegmentAge = TimeSpan.FromTicks(r.ReadInt64()),
        };
    }

    internal static void WriteIds(BinaryWriter w, IReadOnlyList<ulong> ids)
    {
        w.Write(ids.Count);
        foreach (ulong id in ids)
        {
            w.Write(id);
        }
    }

    internal static ulong[] ReadIds(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count is < 0 or > 1024)
        {
            throw new FormatException("Bad id count.");
        }

        var ids = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = r.ReadUInt64();
        }

        return ids;
    }
}
