using Xinfra.Northguard.Metadata.Raft;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>What a simulated node applies committed entries to.</summary>
internal interface IStateMachine
{
    /// <summary>A fingerprint of everything applied so far (equal on every node after the same index).</summary>
    ulong Digest { get; }

    void Apply(in LogEntry entry);

    byte[] Snapshot();

    void Restore(ReadOnlyMemory<byte> snapshot);
}

/// <summary>A state machine that only chains a hash over the applied entries.</summary>
internal sealed class DigestStateMachine : IStateMachine
{
    public ulong Digest { get; private set; } = 1469598103934665603UL;

    public int AppliedCount { get; private set; }

    public void Apply(in LogEntry entry)
    {
        ulong h = Digest;
        h = (h ^ (ulong)entry.Index) * 1099511628211UL;
        h = (h ^ (ulong)entry.Term) * 1099511628211UL;
        foreach (byte b in entry.Data.Span)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        Digest = h;
        AppliedCount++;
    }

    public byte[] Snapshot() => BitConverter.GetBytes(Digest);

    public void Restore(ReadOnlyMemory<byte> snapshot)
    {
        Digest = snapshot.Length == 0 ? 1469598103934665603UL : BitConverter.ToUInt64(snapshot.Span);
    }
}
