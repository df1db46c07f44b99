using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Cluster;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Faults;
using Xinfra.Simulator.Workloads;

namespace Xinfra.Simulator.Runner;

/// <summary>The outcome of one run.</summary>
internal sealed record SimResult(
    long Seed,
    string TraceHash,
    IReadOnlyList<string> Failures,
    TimeSpan SimulatedTime,
    long Events,
    long Acked,
    long Delivered,
    long Duplicates,
    int FaultsInjected,
    string Summary)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// One deterministic run: builds the cluster and clients on a fresh <see cref="SimWorld"/>, injects the fault plan,
/// heals, drains, and runs the end-of-run checks. Everything happens on the calling thread.
/// </summary>
internal sealed partial class Simulation : IDisposable
{
    public static readonly (string Name, int ReplicationFactor, int Ranges)[] Topics = [("orders", 2, 2), ("payments", 3, 1), ("events", 2, 3)];

    private readonly SimWorld _world;
    private readonly List<SimBroker> _brokers = [];
    private readonly List<SimProducer> _producers = [];
    private readonly List<SimConsumer> _consumers = [];
    private readonly SimAdmin _admin;
    private readonly FaultPlan _plan;
    private readonly GroupWorkload _groups;
    private readonly MigrationWorkload? _migration;

    public Simulation(SimOptions options)
    {
        _world = new SimWorld(options);
        _plan = options.Plan();
        for (int b = 1; b <= options.Brokers; b++)
        {
            var broker = new SimBroker(_world, b);
            _brokers.Add(broker);
            _world.Network.Add(broker);
        }

        var names = Topics.Select(t => t.Name).ToList();
        _admin = new SimAdmin(_world, 100, Topics);
        _world.Network.Add(_admin);
        for (int p = 0; p < options.Producers; p++)
        {
            var producer = new SimProducer(_world, 200 + p, p, names);
            _producers.Add(producer);
            _world.Network.Add(producer);
        }

        for (int c = 0; c < options.Consumers; c++)
        {
            var consumer = new SimConsumer(_world, 300 + c, c, names);
            _consumers.Add(consumer);
            _world.Network.Add(consumer);
        }

        _groups = new GroupWorkload(_world, names);
        _world.Checker.Groups.Strict = options.StrictGroups;
        _world.Checker.DeletedSegments = DeletedSegments;
        _migration = options.Migration ? new MigrationWorkload(_world) : null;
    }

    public FaultPlan Plan => _plan;

    /// <summary>The run's oracle (counts for tests).</summary>
    internal Checks.InvariantChecker Checks => _world.Checker;

    /// <summary>The consumer-group oracle of this run (counts for tests).</summary>
    internal Checks.GroupChecker GroupChecks => _world.Checker.Groups;

    /// <summary>The migration workload, when <see cref="SimOptions.Migration"/> is on.</summary>
    public MigrationWorkload? Migration => _migration;

    public SimResult Run()
    {
        var options = _world.Options;
        var loop = _world.Loop;
        var checker = _world.Checker;
        _world.Trace.Write($"run seed {options.Seed} faults [{string.Join(' ', _plan.Active.Select(f => f.Index))}] bugs {options.Bugs}");
        foreach (var broker in _brokers)
        {
            loop.Post(_ => broker.Start(), null);
        }

        long duration = options.Duration.Ticks;
        _admin.StopAt = duration;
        _admin.Start();
        loop.Run(SimLoop.Ms(30_000), () => _admin.Ready);
        if (!_admin.Ready)
        {
            checker.Fail("liveness: the workload topics could not be created within 30 s");
        }

        long started = loop.Now;
        foreach (var producer in _producers)
        {
            producer.StopAt = started + duration;
            producer.Start();
        }

        foreach (var consumer in _consumers)
        {
            consumer.Start();
        }

        _groups.Start(started, duration);
        _migration?.Start(started, duration);
        foreach (var fault in _plan.Active)
        {
            loop.At(started + fault.AtTicks, () => Inject(fault));
        }

        long healAt = started + (long)(duration * 0.75);
        loop.At(healAt, HealAll);
        loop.Run(started + duration, () => checker.Failures.Count > 0 || loop.Errors.Count > 0);

        // Drain: producers have stopped generating; everything acknowledged must reach every consumer.
        long drainEnd = loop.Now + options.DrainLimit.Ticks;
        var liveTopics = Simulation.Topics.Select(t => t.Name).ToHashSet();
        bool Drained() =>
            _producers.All(p => p.Stopped && p.Idle)
            && Enumerable.Range(0, _consumers.Count).All(c => checker.DeliveredAll(c, liveTopics))
            && _groups.Drained(liveTopics)
            && (_migration?.Drained ?? true);
        while (loop.Now < drainEnd && checker.Failures.Count == 0 && loop.Errors.Count == 0 && !Drained())
        {
            loop.Run(loop.Now + SimLoop.Ms(500));
        }

        if (checker.Failures.Count == 0 && loop.Errors.Count == 0)
        {
            if (!_producers.All(p => p.Idle))
            {
                checker.Fail($"liveness: producers still hold unacknowledged records {options.DrainLimit.TotalSeconds} s after the faults healed");
            }

            checker.CheckEnd(_consumers.Count, liveTopics);
            _groups.CheckEnd(liveTopics);
            _migration?.CheckEnd();
            CheckSealedReplicas();
        }
        else
        {
            _ = checker.AckedRecords(liveTopics); // Counts the records exempt by retention for the summary.
        }

        foreach (var error in loop.Errors)
        {
            checker.Failures.Add($"unhandled exception in {error}");
        }

        var summary = $"acked {checker.Acked}, delivered {checker.Delivered} (dups {checker.Duplicates}), splits {_admin.Splits}, merges {_admin.Merges}, " +
            $"doc ops {checker.Documents.Count}, group deliveries {checker.Groups.Delivered} (dups {checker.Groups.Duplicates}), grants {checker.Groups.Grants}, " +
            $"commits {checker.Groups.Commits} (fenced {checker.Groups.FencedCommits}, claims {checker.Groups.Claims}), expired by retention {checker.Expired}, member churns {_groups.Churns}, group findings {checker.Groups.Findings}, faults {_plan.Active.Count}, messages {_world.Network.Delivered}, trace lines {_world.Trace.Lines}"
            + (_migration is null ? "" : $"; {_migration.Summary}");
        _world.Trace.Write($"end: {summary}");
        return new SimResult(options.Seed, _world.Trace.Hash(), [.. checker.Failures], TimeSpan.FromTicks(loop.Now), loop.Steps,
            checker.Acked, checker.Delivered, checker.Duplicates, _plan.Active.Count, summary);
    }

    private SimBroker Broker(int id) => _brokers[id - 1];

    /// <summary>Segments of the workload topics some up broker's applied metadata marks deleted (deletion is final).</summary>
    private HashSet<Xinfra.Northguard.Metadata.Model.SegmentId> DeletedSegments()
    {
        var deleted = new HashSet<Xinfra.Northguard.Metadata.Model.SegmentId>();
        foreach (var (name, _, _) in Topics)
        {
            int vnode = _world.Ring.VnodeForTopic(name);
            foreach (var broker in _brokers)
            {
                foreach (var segment in broker.StateOf(vnode)?.Describe(name)?.Segments ?? [])
                {
                    if (segment.State == Xinfra.Northguard.Metadata.Model.SegmentState.Deleted)
                    {
                        deleted.Add(segment.Id);
                    }
                }
            }
        }

        return deleted;
    }

    private void HealAll()
    {
        _world.Trace.Write("heal: partitions cleared, network calm, every broker up");
        _world.Network.HealPartitions();
        _world.Network.Loss = 0;
        _world.Network.Duplication = 0;
        _world.Network.Reordering = 0;
        foreach (var broker in _brokers)
        {
            broker.RestartUntilUp();
        }

        _groups.Heal();
    }

    public void Dispose()
    {
    }
}
