using Xinfra.Northguard.Metadata.Raft;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>
/// A deterministic cluster of Raft members on one thread: every random choice comes from one seed, time is a tick
/// counter, and the safety properties are checked after every step.
/// </summary>
internal sealed partial class SimCluster
{
    private readonly Func<IStateMachine> _stateMachineFactory;
    private readonly Func<RaftOptions, RaftOptions> _configure;
    private readonly List<ulong> _ids = [];

    public SimCluster(int seed, int nodes, Func<RaftOptions, RaftOptions>? configure = null,
        Func<IStateMachine>? stateMachine = null)
    {
        Seed = seed;
        Random = new Random(seed);
        Network = new SimNetwork(new Random(seed ^ 0x5eed));
        _configure = configure ?? (o => o);
        _stateMachineFactory = stateMachine ?? (() => new DigestStateMachine());
        var voters = new List<ulong>();
        for (ulong id = 1; id <= (ulong)nodes; id++)
        {
            voters.Add(id);
        }

        foreach (ulong id in voters)
        {
            AddNode(id, new MemoryRaftStorage(voters));
        }
    }

    public int Seed { get; }

    public Random Random { get; }

    public SimNetwork Network { get; }

    public SafetyChecker Checker { get; } = new();

    public long Now { get; private set; }

    public Dictionary<ulong, SimNode> Nodes { get; } = [];

    public IReadOnlyList<ulong> Ids => _ids;

    /// <summary>Compact a node's log once it applied this many entries past its snapshot (0: never).</summary>
    public int CompactEvery { get; set; }

    /// <summary>Chance that a node crashes after producing a Ready but before persisting it.</summary>
    public double CrashBeforePersistRate { get; set; }

    /// <summary>Called for every entry a node applies.</summary>
    public Action<SimNode, LogEntry>? OnApplied { get; set; }

    /// <summary>Called when a node's read state can be served (its state machine reached the index).</summary>
    public Action<SimNode, ReadState>? OnRead { get; set; }

    public int CheckLogsEvery { get; set; } = 10;

    /// <summary>Adds a node (a founding member when the storage holds voters, otherwise an empty joiner).</summary>
    public SimNode AddNode(ulong id, MemoryRaftStorage storage)
    {
        var node = new SimNode(id, storage, _stateMachineFactory());
        Nodes[id] = node;
        _ids.Add(id);
        Start(node);
        return node;
    }

    public RaftNode Raft(ulong id) => Nodes[id].Raft ?? throw new InvalidOperationException($"Node {id} is down.");

    /// <summary>The up leader with the highest term, if any.</summary>
    public RaftNode? Leader()
    {
        RaftNode? best = null;
        foreach (var node in Nodes.Values)
        {
            if (node.Raft is { Role: RaftRole.Leader } r && (best is null || r.Term > best.Term))
            {
                best = r;
            }
        }

        return best;
    }

    public void Crash(ulong id)
    {
        var node = Nodes[id];
        node.Raft = null;
        node.WaitingReads.Clear();
    }

    public void Restart(ulong id)
    {
        var node = Nodes[id];
        if (!node.IsUp)
        {
            node.Restarts++;
            Start(node);
        }
    }

    private void Start(SimNode node)
    {
        var options = _configure(new RaftOptions
        {
            Id = node.Id,
            Random = new Random(Seeds.Derive(Seed, (long)node.Id, node.Restarts)),
            Applied = node.Storage.Snapshot.Index,
        });
        node.StateMachine = _stateMachineFactory();
        node.StateMachine.Restore(node.Storage.Snapshot.Data);
        node.Raft = new RaftNode(options, node.Storage);
        ProcessReady(node);
    }
}
