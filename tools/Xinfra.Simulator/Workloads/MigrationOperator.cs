using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Routing;
using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// The operator of the migration: creates both epochs, then walks the phase forward, rolls it back once and forward
/// again to <see cref="MigrationPhase.TargetOnly"/> while faults run. Every step is judged by the real
/// <see cref="PhaseTransitions.JudgeStep"/>; a refused step is retried. The cutover gate it is given is a model of the
/// divergence gate (every live producer dual-writes); the outbox depth is the sum over producer processes (the real
/// rule sees its own process's outbox, the divergence gate the others'). Before each step it also tries a step that
/// skips a phase, which must be refused, forced or not.
/// </summary>
internal sealed class MigrationOperator(SimWorld world, int id, MigrationControl control, IReadOnlyList<MigrationProducer> producers, MigrationChecker checker)
    : SimClient(world, id)
{
    /// <summary>The steps, each at a fraction of the workload time (faults run until 70% of it).</summary>
    public static readonly (double At, MigrationPhase Phase)[] Steps =
    [
        (0.08, MigrationPhase.DualWriteReadSource),
        (0.22, MigrationPhase.DualWriteReadTarget),
        (0.36, MigrationPhase.DualWriteReadSource),
        (0.50, MigrationPhase.DualWriteReadTarget),
        (0.62, MigrationPhase.TargetOnly),
    ];

    public int StepsDone { get; private set; }

    public int Refusals { get; private set; }

    public int IllegalRefused { get; private set; }

    public bool Finished => StepsDone == Steps.Length;

    public void Start(long started, long duration) => World.Loop.Spawn("migration operator", () => RunAsync(started, duration));

    private async Task RunAsync(long started, long duration)
    {
        await CreateAsync(MigrationControl.Source.Name, replicationFactor: 2);
        await CreateAsync(MigrationControl.Target.Name, replicationFactor: 3);
        foreach (var (at, phase) in Steps)
        {
            long due = started + (long)(duration * at);
            if (World.Loop.Now < due)
            {
                await World.Loop.Delay(due - World.Loop.Now);
            }

            TrySkip();
            while (true)
            {
                var verdict = PhaseTransitions.JudgeStep(control.Phase, phase, forceCutover: false, () => !ProducersDualWrite(), producers.Sum(p => p.Outbox.Depth));
                if (verdict == PhaseStepVerdict.Allowed)
                {
                    World.Trace.Write($"migration operator: {control.Phase} -> {phase}");
                    control.Publish(phase);
                    StepsDone++;
                    break;
                }

                Refusals++;
                await World.Loop.Delay(SimLoop.Ms(200));
            }
        }
    }

    /// <summary>A step two phases away must be refused (ForceCutover does not override it) and change nothing.</summary>
    private void TrySkip()
    {
        var from = control.Phase;
        var skip = from <= MigrationPhase.DualWriteReadSource ? from + 2 : from - 2;
        foreach (bool force in (bool[])[false, true])
        {
            var verdict = PhaseTransitions.JudgeStep(from, skip, force, () => false, 0);
            if (verdict != PhaseStepVerdict.SkipsPhase)
            {
                checker.Fail($"the phase step {from} -> {skip} (force {force}) was judged {verdict}, not refused as a skip");
                continue;
            }

            IllegalRefused++;
        }
    }

    /// <summary>The divergence gate's model: every live producer routes with a dual-write phase, also its batch in flight.</summary>
    private bool ProducersDualWrite() => producers.All(p => p.Down
        || (IsDual(p.View.Route.Phase) && (p.InFlightPhase is not { } inFlight || IsDual(inFlight))));

    private static bool IsDual(MigrationPhase phase) => phase is MigrationPhase.DualWriteReadSource or MigrationPhase.DualWriteReadTarget;

    private async Task CreateAsync(string topic, int replicationFactor)
    {
        while (true)
        {
            var result = await Meta.WriteAsync(new CreateTopicCommand(topic, StoragePolicy.Default with { ReplicationFactor = replicationFactor }, 2));
            if (result is { Status: MetadataStatus.Ok or MetadataStatus.TopicExists })
            {
                return;
            }

            await World.Loop.Delay(SimLoop.Ms(200));
        }
    }
}
