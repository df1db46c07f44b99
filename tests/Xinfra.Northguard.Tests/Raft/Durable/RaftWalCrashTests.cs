using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Durable;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Xinfra.Northguard.Tests.Raft.Harness;

namespace Xinfra.Northguard.Tests.Raft.Durable;

/// <summary>
/// Several groups on three brokers, each broker with a real WAL, crashing at random and losing a random part of the
/// unsynced tail (possibly tearing a record). The Raft safety checks run on every group after every batch.
/// </summary>
public sealed class RaftWalCrashTests
{
    private const int Groups = 3;
    private static readonly ulong[] Ids = [1, 2, 3];

    private sealed class CheckedMachine(ulong broker, SafetyChecker checker) : IRaftStateMachine
    {
        private readonly DigestStateMachine _digest = new();

        public long Applied { get; private set; }

        public void Restore(RaftSnapshot snapshot)
        {
            _digest.Restore(snapshot.Data);
            Applied = snapshot.Index;
        }

        public void Apply(in LogEntry entry)
        {
            _digest.Apply(entry);
            checker.ObserveApply(broker, entry, _digest.Digest);
            Applied = entry.Index;
        }

        public void OnReadReady(ReadState read)
        {
        }

        public void OnLeaderChanged(long term, ulong leader)
        {
        }

        public byte[] CreateSnapshot() => _digest.Snapshot();
    }

    private sealed class Node(ulong id) : IRaftTransport
    {
        public ulong Id { get; } = id;

        public RaftWal? Wal { get; set; }

        public RaftHost? Host { get; set; }

        public Dictionary<ulong, CheckedMachine> Machines { get; } = [];

        public Queue<(ulong To, IReadOnlyList<GroupMessage> Batch)>? Network { get; set; }

        public void Send(ulong broker, IReadOnlyList<GroupMessage> batch) => Network!.Enqueue((broker, batch));
    }

    [Fact]
    public void CrashesLosingUnsyncedTail_AllGroupsStaySafeAndRecover()
    {
        Seeds.Run(6, seed =>
        {
            using var dir = new TempDirectory();
            var rng = new Random(seed);
            var checkers = Enumerable.Range(1, Groups).ToDictionary(g => (ulong)g, _ => new SafetyChecker());
            var network = new Queue<(ulong To, IReadOnlyList<GroupMessage> Batch)>();
            var nodes = Ids.ToDictionary(id => id, id => new Node(id) { Network = network });
            int starts = 0;

            void Start(Node n)
            {
                n.Wal = RaftWal.Open(Path.Combine(dir.Path, $"b{n.Id}"), checkpointBytes: 16 << 10);
                n.Host = new RaftHost(n.Id, n.Wal, n) { CompactEvery = 6 };
                n.Machines.Clear();
                for (ulong g = 1; g <= Groups; g++)
                {
                    var sm = new CheckedMachine(n.Id, checkers[g]);
                    n.Machines[g] = sm;
                    n.Host.AddGroup(g, sm, new Random(Seeds.Derive(seed, (long)n.Id, (long)g, starts++)), Ids);
                }
            }

            void Crash(Node n)
            {
                long synced = n.Wal!.SyncedLength;
                string file = Path.Combine(dir.Path, $"b{n.Id}", RaftWal.FileName);
                n.Wal.Dispose();
                long length = new FileInfo(file).Length;
                using (var stream = new FileStream(file, FileMode.Open))
                {
                    stream.SetLength(synced + (long)(rng.NextDouble() * (length - synced)));
                }

                n.Wal = null;
                n.Host = null;
            }

            void Observe()
            {
                foreach (var n in nodes.Values)
                {
                    if (n.Host is { } host)
                    {
                        foreach (ulong g in host.GroupIds)
                        {
                            checkers[g].ObserveRole(host.GetNode(g));
                        }
                    }
                }
            }

            void Pump(bool lossy)
            {
                foreach (var n in nodes.Values)
                {
                    if (n.Host is { } host)
                    {
                        host.Tick();
                        var group = host.GetNode((ulong)rng.Next(1, Groups + 1));
                        if (group.Role == RaftRole.Leader && rng.NextDouble() < 0.5)
                        {
                            group.Propose(BitConverter.GetBytes(rng.Next()));
                        }

                        host.ProcessReady();
                    }
                }

                Observe();
                int count = network.Count;
                for (int i = 0; i < count && network.TryDequeue(out var item); i++)
                {
                    if ((lossy && rng.NextDouble() < 0.1) || nodes[item.To].Host is not { } target)
                    {
                        continue;
                    }

                    target.Receive(item.Batch);
                    target.ProcessReady();
                }

                Observe();
            }

            foreach (var n in nodes.Values)
            {
                Start(n);
            }

            for (int t = 0; t < 200; t++)
            {
                var victim = nodes[Ids[rng.Next(Ids.Length)]];
                if (victim.Host is not null && rng.NextDouble() < 0.05)
                {
                    Crash(victim);
                }
                else if (victim.Host is null && rng.NextDouble() < 0.2)
                {
                    Start(victim);
                }

                Pump(lossy: true);
            }

            foreach (var n in nodes.Values.Where(n => n.Host is null))
            {
                Start(n);
            }

            for (int t = 0; t < 200; t++)
            {
                Pump(lossy: false);
            }

            for (ulong g = 1; g <= Groups; g++)
            {
                long max = nodes.Values.Max(n => n.Machines[g].Applied);
                Assert.True(checkers[g].CommittedCount > 10, $"group {g} made no progress");
                Assert.All(nodes.Values, n => Assert.True(n.Machines[g].Applied >= max - 1, $"broker {n.Id} behind in group {g}"));
            }

            foreach (var n in nodes.Values)
            {
                n.Wal?.Dispose();
            }
        });
    }
}
