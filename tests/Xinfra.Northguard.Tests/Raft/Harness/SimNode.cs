using Xinfra.Northguard.Metadata.Raft;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>One simulated broker hosting one Raft member: durable storage survives crashes, the rest does not.</summary>
internal sealed class SimNode
{
    public SimNode(ulong id, MemoryRaftStorage storage, IStateMachine stateMachine)
    {
        Id = id;
        Storage = storage;
        StateMachine = stateMachine;
    }

    public ulong Id { get; }

    /// <summary>The persisted state: kept across crashes.</summary>
    public MemoryRaftStorage Storage { get; }

    public IStateMachine StateMachine { get; set; }

    public RaftNode? Raft { get; set; }

    public bool IsUp => Raft is not null;

    /// <summary>Read states waiting for the state machine to catch up (volatile).</summary>
    public List<ReadState> WaitingReads { get; } = [];

    public int SnapshotsInstalled { get; set; }

    public int Restarts { get; set; }
}
