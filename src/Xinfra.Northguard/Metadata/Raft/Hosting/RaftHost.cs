using Xinfra.Northguard.Metadata.Raft.Durable;

namespace Xinfra.Northguard.Metadata.Raft.Hosting;

/// <summary>
/// Drives many Raft groups on one broker (multi-Raft): collects every group's <see cref="Ready"/>, persists them all
/// with one fsync of the shared <see cref="RaftWal"/>, then sends their messages batched per destination broker,
/// applies committed entries and advances each group. Single-threaded: the caller serializes all calls.
/// </summary>
public sealed partial class RaftHost
{
    private readonly RaftWal _wal;
    private readonly IRaftTransport _transport;
    private readonly Dictionary<ulong, Group> _groups = [];
    private readonly List<(Group Group, Ready Ready)> _batch = [];
    private readonly Dictionary<ulong, List<GroupMessage>> _outbox = [];

    private sealed record Group(ulong Id, RaftNode Node, DurableRaftStorage Storage, IRaftStateMachine StateMachine)
    {
        public List<ReadState> WaitingReads { get; } = [];

        public (long Term, ulong Leader) LastLeader { get; set; }
    }

    /// <summary>Creates a host for broker <paramref name="brokerId"/> over a WAL and a transport.</summary>
    public RaftHost(ulong brokerId, RaftWal wal, IRaftTransport transport)
    {
        ArgumentNullException.ThrowIfNull(wal);
        ArgumentNullException.ThrowIfNull(transport);
        BrokerId = brokerId;
        _wal = wal;
        _transport = transport;
    }

    /// <summary>This broker's id, used as the Raft node id in every group.</summary>
    public ulong BrokerId { get; }

    /// <summary>Compact a group's log once this many entries were applied past its snapshot (0: never).</summary>
    /// <value>The default value is 1000.</value>
    public int CompactEvery { get; init; } = 1000;

    /// <summary>How many persist-and-send rounds carried at least one Ready.</summary>
    public long Batches { get; private set; }

    /// <summary>How many group Ready outputs were processed, over all batches.</summary>
    public long ReadiesProcessed { get; private set; }

    /// <summary>
    /// Starts (or restarts) this broker's member of <paramref name="group"/> from the WAL. A founding member passes
    /// the initial <paramref name="voters"/>; the state machine must be empty: it is restored from the snapshot.
    /// </summary>
    public RaftNode AddGroup(ulong group, IRaftStateMachine stateMachine, Random random,
        IReadOnlyList<ulong>? voters = null, Func<RaftOptions, RaftOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(stateMachine);
        ArgumentNullException.ThrowIfNull(random);
        var storage = _wal.GetOrCreate(group, voters);
        _wal.Sync();
        if (storage.Snapshot.Index > 0)
        {
            stateMachine.Restore(storage.Snapshot);
        }

        var options = new RaftOptions { Id = BrokerId, Random = random, Applied = storage.Snapshot.Index };
        var node = new RaftNode(configure is null ? options : configure(options), storage);
        _groups.Add(group, new Group(group, node, storage, stateMachine));
        return node;
    }

    /// <summary>The local member of <paramref name="group"/>.</summary>
    public RaftNode GetNode(ulong group) => _groups[group].Node;

    /// <summary>The groups hosted here.</summary>
    public IReadOnlyCollection<ulong> GroupIds => _groups.Keys;

    /// <summary>Ticks every group.</summary>
    public void Tick()
    {
        foreach (var group in _groups.Values)
        {
            group.Node.Tick();
        }
    }

    /// <summary>Feeds a batch received from another broker; unknown groups are ignored.</summary>
    public void Receive(IReadOnlyList<GroupMessage> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            if (_groups.TryGetValue(batch[i].Group, out var group))
            {
                group.Node.Step(batch[i].Message);
            }
        }
    }

    /// <summary>
    /// Persists every group's pending output with one fsync, then sends, applies and advances. Call after
    /// <see cref="Tick"/>, <see cref="Receive"/> or a proposal. Returns how many groups had work.
    /// </summary>
    public int ProcessReady()
    {
        _batch.Clear();
        bool mustSync = false;
        foreach (var group in _groups.Values)
        {
            if (!group.Node.HasReady)
            {
                continue;
            }

            var ready = group.Node.GetReady();
            Persist(group.Storage, ready);
            mustSync |= ready.MustSync;
            _batch.Add((group, ready));
        }

        if (_batch.Count == 0)
        {
            return 0;
        }

        if (mustSync)
        {
            _wal.Sync();
        }

        Batches++;
        ReadiesProcessed += _batch.Count;
        SendBatched();
        foreach (var (group, ready) in _batch)
        {
            Apply(group, ready);
            group.Node.Advance();
            if (CompactEvery > 0 && group.Node.Applied - group.Storage.Snapshot.Index >= CompactEvery)
            {
                group.Storage.Compact(group.Node.Applied, group.Node.Voters, group.StateMachine.CreateSnapshot());
            }
        }

        return _batch.Count;
    }
}
