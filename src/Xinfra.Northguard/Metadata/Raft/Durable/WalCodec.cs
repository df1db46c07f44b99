using System.Buffers.Binary;
using System.IO.Hashing;

namespace Xinfra.Northguard.Metadata.Raft.Durable;

/// <summary>
/// Record framing: <c>[length u32][crc32 u32][type u8][group u64][payload]</c>, little-endian; the CRC covers type,
/// group and payload, and the length counts them.
/// </summary>
internal static class WalCodec
{
    public const int HeaderSize = 8;

    public static byte[] Frame(WalRecordType type, ulong group, ReadOnlySpan<byte> payload)
    {
        int bodyLength = 1 + 8 + payload.Length;
        var buffer = new byte[HeaderSize + bodyLength];
        var body = buffer.AsSpan(HeaderSize);
        body[0] = (byte)type;
        BinaryPrimitives.WriteUInt64LittleEndian(body[1..], group);
        payload.CopyTo(body[9..]);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), Crc32.HashToUInt32(body));
        return buffer;
    }

    public static byte[] Entry(in LogEntry entry)
    {
        var payload = new byte[8 + 8 + 1 + entry.Data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, entry.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), entry.Term);
        payload[16] = (byte)entry.Kind;
        entry.Data.Span.CopyTo(payload.AsSpan(17));
        return payload;
    }

    public static LogEntry ReadEntry(ReadOnlySpan<byte> payload) => new(
        BinaryPrimitives.ReadInt64LittleEndian(payload),
        BinaryPrimitives.ReadInt64LittleEndian(payload[8..]),
        (EntryKind)payload[16],
        payload[17..].ToArray());

    public static byte[] HardState(HardState state)
    {
        var payload = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(payload, state.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(8), state.Vote);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(16), state.Commit);
        return payload;
    }

    public static HardState ReadHardState(ReadOnlySpan<byte> payload) => new(
        BinaryPrimitives.ReadInt64LittleEndian(payload),
        BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]),
        BinaryPrimitives.ReadInt64LittleEndian(payload[16..]));

    public static byte[] Snapshot(RaftSnapshot snapshot)
    {
        var payload = new byte[8 + 8 + 4 + (8 * snapshot.Voters.Count) + snapshot.Data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, snapshot.Index);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), snapshot.Term);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(16), snapshot.Voters.Count);
        int at = 20;
        foreach (ulong voter in snapshot.Voters)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(at), voter);
            at += 8;
        }

        snapshot.Data.Span.CopyTo(payload.AsSpan(at));
        return payload;
    }

    public static RaftSnapshot ReadSnapshot(ReadOnlySpan<byte> payload)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(payload[16..]);
        var voters = new ulong[count];
        int at = 20;
        for (int i = 0; i < count; i++, at += 8)
        {
            voters[i] = BinaryPrimitives.ReadUInt64LittleEndian(payload[at..]);
        }

        return new RaftSnapshot(
            BinaryPrimitives.ReadInt64LittleEndian(payload),
            BinaryPrimitives.ReadInt64LittleEndian(payload[8..]),
            voters,
            payload[at..].ToArray());
    }
}
