using System.Buffers.Binary;
using Xinfra.Northguard.Storage.Format;

namespace Xinfra.Northguard.Storage.Wal;

/// <summary>The WAL file and entry layouts (see docs/storage.md).</summary>
internal static class WalFormat
{
    public const int FileHeaderSize = 512;
    public const int EntryHeaderSize = 16;
    public const int DataPrefixSize = EntryHeaderSize + 8;
    public const byte DataEntry = 1;
    public const byte CheckpointEntry = 2;
    private const ulong FileMagic = 0x3130764C4157474E; // "NGWALv01"
    private const uint EntryMagic = 0x3157474E; // "NGW1"

    /// <summary>The name of the WAL file with sequence <paramref name="sequence"/>.</summary>
    public static string FileName(long sequence) => $"wal-{sequence:D12}.log";

    /// <summary>Parses a WAL file name; false for other files.</summary>
    public static bool TryParseFileName(string name, out long sequence)
    {
        sequence = 0;
        return name.StartsWith("wal-", StringComparison.Ordinal) && name.EndsWith(".log", StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(4, name.Length - 8), out sequence);
    }

    /// <summary>Writes a WAL file header.</summary>
    public static void WriteFileHeader(Span<byte> destination, long sequence)
    {
        destination[..FileHeaderSize].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(destination, FileMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], 1);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(FileHeaderSize - 4)..], Crc32C.Compute(destination[..(FileHeaderSize - 4)]));
    }

    /// <summary>Checks a WAL file header; throws <see cref="CorruptDataException"/> naming the file.</summary>
    public static void CheckFileHeader(ReadOnlySpan<byte> source, string file)
    {
        if (source.Length < FileHeaderSize || BinaryPrimitives.ReadUInt64LittleEndian(source) != FileMagic
            || BinaryPrimitives.ReadUInt32LittleEndian(source[(FileHeaderSize - 4)..]) != Crc32C.Compute(source[..(FileHeaderSize - 4)]))
        {
            throw new CorruptDataException($"WAL file '{file}' has a missing or corrupt header at position 0.", file, 0);
        }
    }

    /// <summary>Writes the 24-byte prefix of a data entry whose batch is <paramref name="batchLength"/> bytes.</summary>
    public static void WriteDataPrefix(Span<byte> destination, long segmentId, int batchLength)
    {
        WriteEntryHeader(destination, DataPrefixSize + batchLength, DataEntry);
        BinaryPrimitives.WriteInt64LittleEndian(destination[EntryHeaderSize..], segmentId);
    }

    /// <summary>
    /// Stores the CRC of a complete data entry whose batch already carries a valid CRC32C (over its bytes 12..end):
    /// the entry CRC is the CRC of the 24 bytes before those, combined with the batch's own CRC, so the batch is not
    /// read a second time. Same value as <see cref="Seal"/>; recovery still checks every entry over all its bytes.
    /// </summary>
    public static void SealData(Span<byte> entry)
    {
        const int head = DataPrefixSize + BatchHeader.CrcStart;
        uint batchCrc = BinaryPrimitives.ReadUInt32LittleEndian(entry[(DataPrefixSize + 8)..]);
        uint crc = Crc32C.Combine(Crc32C.Compute(entry[12..head]), batchCrc, entry.Length - head);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], crc);
    }

    /// <summary>Computes and stores the CRC of a complete entry.</summary>
    public static void Seal(Span<byte> entry) =>
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], Crc32C.Compute(entry[12..]));

    /// <summary>Encodes a checkpoint entry listing each open segment's next offset.</summary>
    public static byte[] EncodeCheckpoint(IReadOnlyList<(long SegmentId, long NextOffset)> segments)
    {
        var entry = new byte[EntryHeaderSize + 4 + (segments.Count * 16)];
        WriteEntryHeader(entry, entry.Length, CheckpointEntry);
        BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(EntryHeaderSize), segments.Count);
        for (var i = 0; i < segments.Count; i++)
        {
            var at = EntryHeaderSize + 4 + (i * 16);
            BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(at), segments[i].SegmentId);
            BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(at + 8), segments[i].NextOffset);
        }

        Seal(entry);
        return entry;
    }

    /// <summary>Reads an entry's type and length; false for a torn or corrupt entry (including the CRC).</summary>
    public static bool TryReadEntry(ReadOnlySpan<byte> source, out byte type, out int length)
    {
        type = 0;
        length = 0;
        if (source.Length < EntryHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(source) != EntryMagic)
        {
            return false;
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(source[4..]);
        if (length < EntryHeaderSize || length > source.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) != Crc32C.Compute(source[12..length]))
        {
            return false;
        }

        type = source[12];
        return true;
    }

    private static void WriteEntryHeader(Span<byte> destination, int length, byte type)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, EntryMagic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], length);
        destination[12] = type;
        destination[13] = destination[14] = destination[15] = 0;
    }
}
