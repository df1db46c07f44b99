using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft.Linearizability;

/// <summary>
/// Sequential clients issuing puts (through the log) and gets (through read index, or unsafely from a node's local
/// state) against one Raft group under faults, recording a history with simulated invocation and response times.
/// </summary>
internal sealed class KvWorkload
{
    private const int Timeout = 40;
    private static readonly string[] Keys = ["a", "b", "c"];
    private readonly SimCluster _cluster;
    private readonly bool _unsafeLocalReads;
    private readonly Dictionary<int, Pending> _pending = [];
    private readonly bool[] _busy;
    private int _nextOp = 1;

    private sealed record Pending(int Client, ulong Node, KvOpKind Kind, string Key, string? Value, long Call);

    public KvWorkload(SimCluster cluster, int clients, bool unsafeLocalReads)
    {
        _cluster = cluster;
        _unsafeLocalReads = unsafeLocalReads;
        _busy = new bool[clients];
        cluster.OnApplied = OnApplied;
        cluster.OnRead = OnRead;
    }

    public List<KvOperation> History { get; } = [];

    public int Completed { get; private set; }

    /// <summary>Idle clients may start an operation; overdue ones give up.</summary>
    public void Step()
    {
        var rng = _cluster.Random;
        for (int client = 0; client < _busy.Length; client++)
        {
            if (!_busy[client] && rng.NextDouble() < 0.3)
            {
                Start(client, rng);
            }
        }

        foreach (var (id, p) in _pending.ToList())
        {
            if (_cluster.Now - p.Call > Timeout)
            {
                // Unknown outcome: a put may still take effect; a get is simply dropped by the checker.
                Finish(id, p, p.Kind == KvOpKind.Put ? p.Value : null, KvOperation.Unknown);
            }
        }
    }

    /// <summary>Gives every outstanding operation its unknown outcome (end of the run).</summary>
    public void Abandon()
    {
        foreach (var (id, p) in _pending.ToList())
        {
            Finish(id, p, p.Kind == KvOpKind.Put ? p.Value : null, KvOperation.Unknown);
        }
    }

    private void Start(int client, Random rng)
    {
        var ids = _cluster.Ids;
        ulong nodeId = _cluster.Leader() is { } leader && rng.NextDouble() < 0.6 ? leader.Id : ids[rng.Next(ids.Count)];
        if (!_cluster.Nodes[nodeId].IsUp)
        {
            return;
        }

        int op = _nextOp++;
        string key = Keys[rng.Next(Keys.Length)];
        if (rng.NextDouble() < 0.5)
        {
            string value = $"v{op}";
            if (_cluster.Do(nodeId, r => r.Propose(KvStateMachine.EncodePut(op, key, value))).IsAccepted)
            {
                Begin(op, new Pending(client, nodeId, KvOpKind.Put, key, value, _cluster.Now));
            }
        }
        else if (_unsafeLocalReads)
        {
            var sm = (KvStateMachine)_cluster.Nodes[nodeId].StateMachine;
            History.Add(new KvOperation(op, key, KvOpKind.Get, sm.Values.GetValueOrDefault(key), _cluster.Now, _cluster.Now));
            Completed++;
        }
        else
        {
            var pending = new Pending(client, nodeId, KvOpKind.Get, key, null, _cluster.Now);
            if (_cluster.Do(nodeId, r => r.ReadIndex(op)).IsAccepted)
            {
                Begin(op, pending);
            }
        }
    }

    private void Begin(int op, Pending pending)
    {
        _pending[op] = pending;
        _busy[pending.Client] = true;
    }

    private void Finish(int op, Pending p, string? value, long returned)
    {
        _pending.Remove(op);
        _busy[p.Client] = false;
        History.Add(new KvOperation(op, p.Key, p.Kind, value, p.Call, returned));
        if (returned != KvOperation.Unknown)
        {
            Completed++;
        }
    }

    private void OnApplied(SimNode node, LogEntry entry)
    {
        if (entry.Kind != EntryKind.Normal || entry.Data.Length == 0)
        {
            return;
        }

        int op = KvStateMachine.DecodePut(entry.Data).OpId;
        if (_pending.TryGetValue(op, out var p) && p.Node == node.Id)
        {
            Finish(op, p, p.Value, _cluster.Now);
        }
    }

    private void OnRead(SimNode node, ReadState read)
    {
        int op = (int)read.Context;
        if (_pending.TryGetValue(op, out var p) && p.Node == node.Id && p.Kind == KvOpKind.Get)
        {
            var sm = (KvStateMachine)node.StateMachine;
            Finish(op, p, sm.Values.GetValueOrDefault(p.Key), _cluster.Now);
        }
    }
}
