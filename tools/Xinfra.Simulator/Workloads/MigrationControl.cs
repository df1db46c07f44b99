using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// The migrating logical topic as a config service holds it: two epochs (a source and a target physical topic) and
/// the published phase with its version. Clients do not read it directly: each polls it now and then
/// (<see cref="MigrationView"/>), so producers and consumers lag the operator's flips by different amounts.
/// </summary>
internal sealed class MigrationControl
{
    public const string Logical = "ledger";

    /// <summary>The source epoch: a physical topic of the simulated cluster, named as if on cluster "source".</summary>
    public static readonly PhysicalTopic Source = new(Logical, "source", "ledger-src");

    /// <summary>The target epoch: a second physical topic of the same simulated cluster, named as if on cluster "target".</summary>
    public static readonly PhysicalTopic Target = new(Logical, "target", "ledger-tgt");

    public MigrationPhase Phase { get; private set; } = MigrationPhase.SourceOnly;

    /// <summary>Until then the target cluster is unreachable from the producers (a model of a target outage).</summary>
    public long TargetDownUntil { get; set; }

    /// <summary>Bumped by every published change.</summary>
    public long Version { get; private set; }

    /// <summary>The real route of the logical topic in <paramref name="phase"/> under an ack policy (per producer process).</summary>
    public static TopicRoute Route(MigrationPhase phase, DualWriteAckPolicy ack) =>
        new(Logical, phase, ack, autoCreate: false, [Source, Target]);

    public void Publish(MigrationPhase phase)
    {
        Phase = phase;
        Version++;
    }
}

/// <summary>One client's view of <see cref="MigrationControl"/>: refreshed only when the client polls.</summary>
internal sealed class MigrationView(MigrationControl control, DualWriteAckPolicy ack)
{
    public TopicRoute Route { get; private set; } = MigrationControl.Route(control.Phase, ack);

    public long Version { get; private set; } = control.Version;

    public DualWriteAckPolicy Ack => ack;

    public void Refresh()
    {
        if (Version != control.Version)
        {
            Version = control.Version;
            Route = MigrationControl.Route(control.Phase, ack);
        }
    }
}
