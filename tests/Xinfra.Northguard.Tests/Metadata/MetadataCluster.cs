using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Durable;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Tests.Raft.Durable;

namespace Xinfra.Northguard.Tests.Metadata;

/// <summary>
/// Brokers in one process, each with a WAL in a temp folder, a <see cref="RaftHost"/> and the coordinators of the
/// vnodes it replicates (every vnode on 3 brokers), connected by an in-memory network and pumped by the test.
/// </summary>
internal sealed class MetadataCluster : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Queue<(ulong To, IReadOnlyList<GroupMessage> Batch)> _network = new();
    private readonly int _seed;

    public MetadataCluster(int brokers, int vnodes, int seed)
    {
        _seed = seed;
        Ring = new VnodeRing(vnodes);
        for (ulong b = 1; b <= (ulong)brokers; b++)
        {
            Brokers[b] = new Broker(b, this);
        }

        foreach (var broker in Brokers.Values)
        {
            broker.Start();
        }
    }

    public VnodeRing Ring { get; }

    public Dictionary<ulong, Broker> Brokers { get; } = [];

    public IReadOnlyList<ulong> ReplicasOf(int vnode)
    {
        int n = Brokers.Count;
        return [(ulong)(vnode % n) + 1, (ulong)((vnode + 1) % n) + 1, (ulong)((vnode + 2) % n) + 1];
    }

    public ulong LeaderOf(int vnode)
    {
        foreach (var b in Brokers.Values)
        {
            if (b.IsUp && b.Coordinators.TryGetValue(vnode, out var c) && c.Node!.Role == RaftRole.Leader)
            {
                return b.Id;
            }
        }

        return 0;
    }

    /// <summary>Ticks and delivers until <paramref name="done"/> holds and no request is pending anywhere.</summary>
    public bool PumpUntil(Func<bool> done, int maxTicks = 500)
    {
        for (int t = 0; t < maxTicks; t++)
        {
            if (done() && Brokers.Values.All(b => !b.IsUp || b.Coordinators.Values.All(c => c.PendingCount == 0)))
            {
                return true;
            }

            foreach (var b in Brokers.Values.Where(b => b.IsUp))
            {
                b.Host!.Tick();
                b.Host.ProcessReady();
            }

            while (_network.TryDequeue(out var item))
            {
                if (Brokers[item.To] is { IsUp: true } target)
                {
                    target.Host!.Receive(item.Batch);
                    target.Host.ProcessReady();
                }
            }
        }

        return false;
    }

    /// <summary>Runs one request against the service of <paramref name="broker"/> and pumps until it completes.</summary>
    public async Task<T> Call<T>(ulong broker, Func<IMetadataService, ValueTask<T>> request)
    {
        var task = request(Brokers[broker].Service!).AsTask();
        PumpUntil(() => true);
        return await task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        foreach (var b in Brokers.Values)
        {
            b.Crash();
        }

        _dir.Dispose();
    }

    internal sealed class Broker(ulong id, MetadataCluster cluster) : IRaftTransport
    {
        public ulong Id { get; } = id;

        public RaftWal? Wal { get; private set; }

        public RaftHost? Host { get; private set; }

        public MetadataService? Service { get; private set; }

        public Dictionary<int, VnodeCoordinator> Coordinators { get; } = [];

        public bool IsUp => Host is not null;

        public int Starts { get; private set; }

        public void Send(ulong broker, IReadOnlyList<GroupMessage> batch) => cluster._network.Enqueue((broker, batch));

        public void Start()
        {
            Starts++;
            Wal = RaftWal.Open(Path.Combine(cluster._dir.Path, $"broker-{Id}"));
            Host = new RaftHost(Id, Wal, this) { CompactEvery = 8 };
            Coordinators.Clear();
            for (int v = 0; v < cluster.Ring.Count; v++)
            {
                var replicas = cluster.ReplicasOf(v);
                if (!replicas.Contains(Id))
                {
                    continue;
                }

                var coordinator = new VnodeCoordinator(v, Id);
                coordinator.Node = Host.AddGroup((ulong)v, coordinator, new Random(Raft.Harness.Seeds.Derive(cluster._seed, (long)Id, v, Starts)), replicas);
                Coordinators[v] = coordinator;
            }

            Service = new MetadataService(cluster.Ring, Coordinators);
        }

        public void Crash()
        {
            Wal?.Dispose();
            Wal = null;
            Host = null;
            Service = null;
        }
    }
}
