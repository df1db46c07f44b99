using System.Text;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft.Linearizability;

/// <summary>A string map applied from put commands; its digest chains every applied entry.</summary>
internal sealed class KvStateMachine : IStateMachine
{
    private readonly DigestStateMachine _digest = new();

    public Dictionary<string, string> Values { get; } = [];

    public ulong Digest => _digest.Digest;

    public static byte[] EncodePut(int opId, string key, string value)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(opId);
            writer.Write(key);
            writer.Write(value);
        }

        return stream.ToArray();
    }

    public static (int OpId, string Key, string Value) DecodePut(ReadOnlyMemory<byte> data)
    {
        using var reader = new BinaryReader(new MemoryStream(data.ToArray()), Encoding.UTF8);
        return (reader.ReadInt32(), reader.ReadString(), reader.ReadString());
    }

    public void Apply(in LogEntry entry)
    {
        _digest.Apply(entry);
        if (entry.Kind == EntryKind.Normal && entry.Data.Length > 0)
        {
            var (_, key, value) = DecodePut(entry.Data);
            Values[key] = value;
        }
    }

    public byte[] Snapshot()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(Digest);
            writer.Write(Values.Count);
            foreach (var (k, v) in Values)
            {
                writer.Write(k);
                writer.Write(v);
            }
        }

        return stream.ToArray();
    }

    public void Restore(ReadOnlyMemory<byte> snapshot)
    {
        Values.Clear();
        if (snapshot.Length == 0)
        {
            _digest.Restore(snapshot);
            return;
        }

        using var reader = new BinaryReader(new MemoryStream(snapshot.ToArray()), Encoding.UTF8);
        _digest.Restore(BitConverter.GetBytes(reader.ReadUInt64()));
        int count = reader.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            Values[reader.ReadString()] = reader.ReadString();
        }
    }
}
