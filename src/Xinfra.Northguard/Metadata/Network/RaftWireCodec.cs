using Google.Protobuf;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Wire = Xinfra.Northguard.Protocol.Raft;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>Maps <see cref="GroupMessage"/>s to and from their protobuf form. Payloads are wrapped, not copied.</summary>
internal static class RaftWireCodec
{
    public static Wire.GroupMessage ToWire(in GroupMessage gm)
    {
        var m = gm.Message;
        var wire = new Wire.GroupMessage
        {
            Group = gm.Group,
            Type = (uint)m.Type,
            From = m.From,
            To = m.To,
            Term = m.Term,
            LogTerm = m.LogTerm,
            Index = m.Index,
            Commit = m.Commit,
            Reject = m.Reject,
            RejectHint = m.RejectHint,
            Context = m.Context,
            Force = m.Force,
        };
        foreach (var e in m.Entries)
        {
            wire.Entries.Add(new Wire.Entry { Index = e.Index, Term = e.Term, Kind = (uint)e.Kind, Data = UnsafeByteOperations.UnsafeWrap(e.Data) });
        }

        if (m.Snapshot is { } s)
        {
            var snapshot = new Wire.Snapshot { Index = s.Index, Term = s.Term, Data = UnsafeByteOperations.UnsafeWrap(s.Data) };
            snapshot.Voters.AddRange(s.Voters);
            wire.Snapshot = snapshot;
        }

        return wire;
    }

    public static GroupMessage FromWire(Wire.GroupMessage wire)
    {
        var entries = new LogEntry[wire.Entries.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            var e = wire.Entries[i];
            entries[i] = new LogEntry(e.Index, e.Term, (EntryKind)e.Kind, e.Data.Memory);
        }

        var message = new RaftMessage
        {
            Type = (MessageType)wire.Type,
            From = wire.From,
            To = wire.To,
            Term = wire.Term,
            LogTerm = wire.LogTerm,
            Index = wire.Index,
            Entries = entries,
            Commit = wire.Commit,
            Reject = wire.Reject,
            RejectHint = wire.RejectHint,
            Context = wire.Context,
            Force = wire.Force,
            Snapshot = wire.Snapshot is { } s ? new RaftSnapshot(s.Index, s.Term, [.. s.Voters], s.Data.Memory) : null,
        };
        return new GroupMessage(wire.Group, message);
    }
}
