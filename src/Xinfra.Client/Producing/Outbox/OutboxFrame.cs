using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Xinfra.Transport;

namespace Xinfra.Producing.Outbox;

/// <summary>
/// One outbox entry on disk: <c>[payload length: int32 LE][CRC-32 of the payload: uint32 LE][payload]</c>. The payload
/// holds the target (cluster, physical topic, partitions) and the record exactly as the target must receive it: key,
/// value, headers (with the source coordinates) and the timestamp in UTC ticks.
/// </summary>
internal static class OutboxFrame
{
    public const int HeaderBytes = 8;

    /// <summary>A frame larger than this is treated as corruption.</summary>
    public const int MaxPayloadBytes = 64 * 1024 * 1024;

    private const byte Version = 1;

    public static byte[] Encode(PhysicalTopic target, OutgoingRecord record)
    {
        var payload = new MemoryStream(record.SizeInBytes + 64);
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            WriteString(writer, target.Cluster);
            WriteString(writer, target.Name);
            writer.Write(target.Partitions);
            writer.Write(record.Timestamp.UtcTicks);
            WriteBytes(writer, record.Key);
            WriteBytes(writer, record.Value);
            writer.Write(record.Headers.Count);
            foreach (var header in record.Headers)
            {
                WriteString(writer, header.Name);
                WriteBytes(writer, header.Value);
            }
        }

        var length = (int)payload.Length;
        var frame = new byte[HeaderBytes + length];
        payload.GetBuffer().AsSpan(0, length).CopyTo(frame.AsSpan(HeaderBytes));
        BinaryPrimitives.WriteInt32LittleEndian(frame, length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.HashToUInt32(frame.AsSpan(HeaderBytes)));
        return frame;
    }

    /// <summary>Reads a frame header: the payload length and its checksum; false when the length is impossible.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, long remaining, out int length, out uint crc)
    {
        length = BinaryPrimitives.ReadInt32LittleEndian(header);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return length > 0 && length <= MaxPayloadBytes && length <= remaining - HeaderBytes;
    }

    public static bool ChecksumMatches(ReadOnlySpan<byte> payload, uint crc) => Crc32.HashToUInt32(payload) == crc;

    /// <summary>Decodes a payload whose checksum matched; throws <see cref="InvalidDataException"/> when it does not parse.</summary>
    public static (PhysicalTopic Target, OutgoingRecord Record) Decode(string logicalTopic, byte[] payload)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                throw new InvalidDataException("unknown outbox entry version");
            }

            var cluster = ReadString(reader);
            var name = ReadString(reader);
            var partitions = reader.ReadInt32();
            var timestamp = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var key = ReadBytes(reader);
            var value = ReadBytes(reader);
            var count = reader.ReadInt32();
            if (count < 0 || count > payload.Length)
            {
                throw new InvalidDataException("impossible header count");
            }

            var headers = new XinfraHeader[count];
            for (var i = 0; i < count; i++)
            {
                var headerName = ReadString(reader);
                headers[i] = new XinfraHeader(headerName, ReadBytes(reader) ?? ReadOnlyMemory<byte>.Empty);
            }

            return (new PhysicalTopic(logicalTopic, cluster, name, partitions), new OutgoingRecord(key, value, headers, timestamp));
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("truncated outbox entry", ex);
        }
    }

    private static void WriteString(BinaryWriter writer, string text) => WriteBytes(writer, Encoding.UTF8.GetBytes(text));

    private static void WriteBytes(BinaryWriter writer, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            writer.Write(-1);
            return;
        }

        writer.Write(b.Length);
        writer.Write(b.Span);
    }

    private static string ReadString(BinaryReader reader) =>
        ReadBytes(reader) is { } b ? Encoding.UTF8.GetString(b.Span) : throw new InvalidDataException("missing string");

    private static ReadOnlyMemory<byte>? ReadBytes(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new InvalidDataException("impossible length");
        }

        return reader.ReadBytes(length);
    }
}
