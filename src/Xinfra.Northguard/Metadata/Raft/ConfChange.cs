using System.Buffers.Binary;

namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The two single-server membership changes.</summary>
public enum ConfChangeType : byte
{
    /// <summary>Adds a voter.</summary>
    AddNode = 1,

    /// <summary>Removes a voter.</summary>
    RemoveNode = 2,
}

/// <summary>A change of one voter, proposed through the log and effective once applied.</summary>
/// <param name="Type">Add or remove.</param>
/// <param name="NodeId">The node added or removed (not 0).</param>
public readonly record struct ConfChange(ConfChangeType Type, ulong NodeId)
{
    /// <summary>The encoded size in bytes.</summary>
    public const int Size = 9;

    /// <summary>Encodes the change as a log entry payload.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[Size];
        buffer[0] = (byte)Type;
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(1), NodeId);
        return buffer;
    }

    /// <summary>Decodes a payload written by <see cref="Encode"/>.</summary>
    /// <exception cref="FormatException">The payload is not a conf change.</exception>
    public static ConfChange Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length != Size || data[0] is not ((byte)ConfChangeType.AddNode or (byte)ConfChangeType.RemoveNode))
        {
            throw new FormatException("The log entry is not a valid conf change.");
        }

        return new ConfChange((ConfChangeType)data[0], BinaryPrimitives.ReadUInt64LittleEndian(data[1..]));
    }
}
