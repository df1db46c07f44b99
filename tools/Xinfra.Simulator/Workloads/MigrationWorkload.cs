using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// A live migration of the logical topic <c>ledger</c> from a source to a target epoch, run next to the main workload
/// (<c>--migration</c>): two producer processes dual-writing (<c>DualWriteAck: Both</c> and <c>Primary</c> with a
/// durable outbox) that crash and restart, two single-member consumer groups following the phase, and an operator
/// flipping forward, back and forward to TargetOnly while the seed's faults run. Both epochs are topics of the one
/// simulated cluster (docs/decisions/0005-simulated-migration.md says why).
/// </summary>
internal sealed class MigrationWorkload
{
    private readonly SimWorld _world;
    private readonly MigrationControl _control = new();
    private readonly List<MigrationProducer> _producers = [];
    private readonly List<MigrationConsumer> _consumers = [];
    private readonly MigrationOperator _operator;
    private readonly Random _random;

    public MigrationWorkload(SimWorld world)
    {
        _world = world;
        _random = world.Derive(0x316);
        Checker = new MigrationChecker(world.Checker);
        _producers.Add(new MigrationProducer(world, 500, 0, _control, DualWriteAckPolicy.Both, Checker));
        _producers.Add(new MigrationProducer(world, 501, 1, _control, DualWriteAckPolicy.Primary, Checker));
        // Group 0 has one member; group 1 has two, one of which stalls across the first flip to the target.
        Groups = [new MigrationGroup(0, members: 1), new MigrationGroup(1, members: 2)];
        _consumers.Add(new MigrationConsumer(world, 510, 0, 0, Groups[0], _control, Checker));
        _consumers.Add(new MigrationConsumer(world, 511, 1, 0, Groups[1], _control, Checker));
        _consumers.Add(new MigrationConsumer(world, 512, 2, 1, Groups[1], _control, Checker));
        _operator = new MigrationOperator(world, 520, _control, _producers, Checker);
        foreach (var node in _producers.Cast<Clients.SimClient>().Concat(_consumers).Append(_operator))
        {
            world.Network.Add(node);
        }
    }

    public MigrationChecker Checker { get; }

    public IReadOnlyList<MigrationGroup> Groups { get; }

    public MigrationControl Control => _control;

    public MigrationOperator Operator => _operator;

    public IReadOnlyList<MigrationProducer> Producers => _producers;

    public IReadOnlyList<MigrationConsumer> Consumers => _consumers;

    /// <summary>Starts everything at <paramref name="started"/>; producers generate until the workload time ends.</summary>
    public void Start(long started, long duration)
    {
        _operator.Start(started, duration);
        foreach (var producer in _producers)
        {
            producer.StopAt = started + duration;
            producer.Start();

            // Each producer process crashes twice while faults run, and restarts 0.3-2 s later.
            for (int i = 0; i < 2; i++)
            {
                long at = started + (long)(duration * (0.1 + (0.55 * _random.NextDouble())));
                long down = SimLoop.Ms(300 + _random.Next(1700));
                _world.Loop.At(at, () =>
                {
                    if (!producer.Down)
                    {
                        producer.Crash();
                        _world.Loop.At(_world.Loop.Now + down, producer.Start);
                    }
                });
            }
        }

        // Twice the target is unreachable from the producers for 1.5-3 s: Both stalls, Primary fills its outbox and
        // the flip to reading the target waits for it; the Primary process crashes while the outbox replays.
        foreach (double at in (double[])[0.16, 0.44])
        {
            long from = started + (long)(duration * at);
            long until = from + SimLoop.Ms(1500 + _random.Next(1500));
            _world.Loop.At(from, () =>
            {
                _world.Trace.Write($"migration: the target is unreachable from the producers until {until / TimeSpan.TicksPerMillisecond} ms");
                _control.TargetDownUntil = until;
            });
            var primary = _producers[1];
            _world.Loop.At(until + SimLoop.Ms(100 + _random.Next(300)), () =>
            {
                if (!primary.Down)
                {
                    primary.Crash();
                    _world.Loop.At(_world.Loop.Now + SimLoop.Ms(300), primary.Start);
                }
            });
        }

        // Consumer 2 (group 1) stalls until just after the first flip to the target (the second published step): it comes back behind records written before the
        // dual writes began, so its cutover must defer until it has read them from the source.
        long stallFrom = started + (long)(duration * 0.04);
        long stallPast = -1;
        _consumers[2].StallFrom = stallFrom;
        _consumers[2].Stalled = () =>
        {
            if (stallPast < 0 && _control.Version >= 2)
            {
                stallPast = _world.Loop.Now + SimLoop.Ms(300);
            }

            return stallPast < 0 || _world.Loop.Now < stallPast;
        };
        foreach (var consumer in _consumers)
        {
            consumer.Start();
        }
    }

    /// <summary>The operator reached TargetOnly, producers hold nothing unacknowledged, consumers have every acked record.</summary>
    public bool Drained =>
        _operator.Finished
        && _producers.All(p => p.Idle && _world.Loop.Now >= p.StopAt)
        && _consumers.All(c => c.ReadsTarget)
        && Groups.All(g => g.ReadsTarget && Checker.Missing(g.Index).Count == 0);

    public void CheckEnd()
    {
        if (!_operator.Finished)
        {
            Checker.Fail($"liveness: the operator got only {_operator.StepsDone} of {MigrationOperator.Steps.Length} phase steps through ({Refusals()}); phase {_control.Phase}");
        }

        foreach (var producer in _producers.Where(p => !p.Idle))
        {
            Checker.Fail($"liveness: producer {producer.Index} ({producer.View.Ack}) still holds unacknowledged records or {producer.Outbox.Depth} outbox entries after the drain");
        }

        foreach (var consumer in _consumers.Where(c => !c.ReadsTarget))
        {
            Checker.Fail($"liveness: consumer {consumer.Index} still reads the source in phase {_control.Phase} ({consumer.Deferrals} deferrals)");
        }

        foreach (var group in Groups)
        {
            var missing = Checker.Missing(group.Index);
            if (missing.Count > 0)
            {
                Checker.Fail($"group {group.Index}: {missing.Count} acknowledged records never delivered (lost across a flip or consumers stuck), e.g. {string.Join(' ', missing.Take(5))}");
            }
        }
    }

    public string Summary =>
        $"migration: phase {_control.Phase} after {_operator.StepsDone} steps ({Refusals()}), acked {Checker.Acked}, delivered {Checker.Delivered} " +
        $"({Checker.FromTarget} from the target, dups {Checker.Duplicates}), flips {string.Join('/', _consumers.Select(c => c.Flips))}, barrier waits {string.Join('/', _consumers.Select(c => c.BarrierWaits))}, " +
        $"deferrals {string.Join('/', _consumers.Select(c => c.Deferrals))} (overtaken {_consumers.Sum(c => c.OvertakenDeferrals)}, cuts retracted {_consumers.Sum(c => c.Retractions)}), producer crashes {_producers.Sum(p => p.Crashes)}, " +
        $"outbox appended {_producers.Sum(p => p.Outbox.Appended)} resent {_producers.Sum(p => p.Outbox.Resent)}";

    private string Refusals() => $"{_operator.Refusals} refusals, {_operator.IllegalRefused} skips refused";
}
