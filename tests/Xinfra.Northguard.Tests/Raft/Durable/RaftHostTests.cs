using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Durable;
using Xinfra.Northguard.Metadata.Raft.Hosting;

namespace Xinfra.Northguard.Tests.Raft.Durable;

public sealed class RaftHostTests
{
    private const int Groups = 8;
    private static readonly ulong[] Brokers = [1, 2, 3];

    private sealed class ListStateMachine : IRaftStateMachine
    {
        public List<byte> Applied { get; } = [];

        public void Restore(RaftSnapshot snapshot)
        {
            Applied.Clear();
            Applied.AddRange(snapshot.Data.ToArray());
        }

        public void Apply(in LogEntry entry)
        {
            if (entry.Kind == EntryKind.Normal && entry.Data.Length == 1)
            {
                Applied.Add(entry.Data.Span[0]);
            }
        }

        public void OnReadReady(ReadState read)
        {
        }

        public void OnLeaderChanged(long term, ulong leader)
        {
        }

        public byte[] CreateSnapshot() => [.. Applied];
    }

    private sealed class Network : IRaftTransport
    {
        public Queue<(ulong To, IReadOnlyList<GroupMessage> Batch)> Queue { get; } = new();

        public void Send(ulong broker, IReadOnlyList<GroupMessage> batch) => Queue.Enqueue((broker, batch));
    }

    private sealed class Broker(ulong id, TempDirectory dir, Network network) : IDisposable
    {
        public RaftWal Wal { get; private set; } = null!;

        public RaftHost Host { get; private set; } = null!;

        public Dictionary<ulong, ListStateMachine> Machines { get; } = [];

        public void Start(int seed)
        {
            Wal = RaftWal.Open(Path.Combine(dir.Path, $"broker-{id}"));
            Host = new RaftHost(id, Wal, network) { CompactEvery = 5 };
            Machines.Clear();
            for (ulong g = 1; g <= Groups; g++)
            {
                var sm = new ListStateMachine();
                Machines[g] = sm;
                Host.AddGroup(g, sm, new Random(Harness.Seeds.Derive(seed, (long)id, (long)g)), Brokers);
            }
        }

        public void Dispose() => Wal?.Dispose();
    }

    [Fact]
    public void ManyGroups_OneFsyncPerBatch_CommitAndSurviveBrokerRestart()
    {
        using var dir = new TempDirectory();
        var network = new Network();
        var brokers = Brokers.ToDictionary(id => id, id => new Broker(id, dir, network));
        try
        {
            foreach (var b in brokers.Values)
            {
                b.Start(seed: 1);
            }

            var syncsAtStart = brokers.ToDictionary(b => b.Key, b => b.Value.Wal.SyncCount);
            Assert.True(Run(brokers, network, 300, () => LeaderOfEachGroup(brokers).Count == Groups));
            var leaders = LeaderOfEachGroup(brokers);
            for (byte i = 1; i <= 10; i++)
            {
                foreach (var (group, broker) in leaders)
                {
                    Assert.True(brokers[broker].Host.GetNode(group).Propose(new[] { i }).IsAccepted);
                }

                foreach (var b in brokers.Values)
                {
                    b.Host.ProcessReady();
                }
            }

            Assert.True(Run(brokers, network, 200, () => AllApplied(brokers, 10)));
            foreach (var (id, b) in brokers)
            {
                // At most one fsync per batch, and batches really carry several groups at once.
                long syncs = b.Wal.SyncCount - syncsAtStart[id];
                Assert.True(syncs <= b.Host.Batches, $"broker {id}: {syncs} syncs for {b.Host.Batches} batches");
                Assert.True(b.Host.ReadiesProcessed > 2 * b.Host.Batches, $"broker {id}: batches are not shared");
            }

            // Restart broker 3 from its WAL: its state machines come back from snapshot + replay.
            brokers[3].Dispose();
            brokers[3].Start(seed: 2);
            Assert.True(Run(brokers, network, 200, () => AllApplied(brokers, 10)));
            Assert.All(brokers[3].Machines.Values, sm => Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i), sm.Applied));
        }
        finally
        {
            foreach (var b in brokers.Values)
            {
                b.Dispose();
            }
        }
    }

    private static bool AllApplied(Dictionary<ulong, Broker> brokers, int count) =>
        brokers.Values.All(b => b.Machines.Values.All(sm => sm.Applied.Count == count));

    private static Dictionary<ulong, ulong> LeaderOfEachGroup(Dictionary<ulong, Broker> brokers)
    {
        var result = new Dictionary<ulong, ulong>();
        foreach (var (id, b) in brokers)
        {
            foreach (ulong g in b.Host.GroupIds)
            {
                if (b.Host.GetNode(g).Role == RaftRole.Leader)
                {
                    result[g] = id;
                }
            }
        }

        return result;
    }

    private static bool Run(Dictionary<ulong, Broker> brokers, Network network, int ticks, Func<bool> done)
    {
        for (int t = 0; t < ticks && !done(); t++)
        {
            foreach (var b in brokers.Values)
            {
                b.Host.Tick();
                b.Host.ProcessReady();
            }

            while (network.Queue.TryDequeue(out var item))
            {
                var host = brokers[item.To].Host;
                host.Receive(item.Batch);
                host.ProcessReady();
            }
        }

        return done();
    }
}
