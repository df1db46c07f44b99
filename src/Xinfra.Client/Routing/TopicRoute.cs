using Xinfra.Transport;

namespace Xinfra.Routing;

/// <summary>
/// Where one logical topic lives right now: its epochs, its phase, and from those the physical topics producers
/// write to and consumers read from.
/// </summary>
public sealed record TopicRoute
{
    /// <summary>Creates a route; <paramref name="epochs"/> are oldest first.</summary>
    public TopicRoute(string topic, MigrationPhase phase, DualWriteAckPolicy dualWriteAck, bool autoCreate, IReadOnlyList<PhysicalTopic> epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        ArgumentOutOfRangeException.ThrowIfZero(epochs.Count);
        Topic = topic;
        Phase = phase;
        DualWriteAck = dualWriteAck;
        AutoCreate = autoCreate;
        Epochs = epochs;
        Source = epochs.Count >= 2 ? epochs[^2] : epochs[0];
        Target = epochs.Count >= 2 ? epochs[^1] : null;
        WriteTo = phase switch
        {
            MigrationPhase.SourceOnly => [Source],
            MigrationPhase.TargetOnly => [Target!],
            _ => [Source, Target!],
        };
        ReadFrom = phase is MigrationPhase.SourceOnly or MigrationPhase.DualWriteReadSource ? Source : Target!;
    }

    /// <summary>The logical topic name.</summary>
    public string Topic { get; }

    /// <summary>The migration phase.</summary>
    public MigrationPhase Phase { get; }

    /// <summary>When a dual-written record counts as delivered.</summary>
    public DualWriteAckPolicy DualWriteAck { get; }

    /// <summary>Whether physical topics are created on first use.</summary>
    public bool AutoCreate { get; }

    /// <summary>All epochs, oldest first.</summary>
    public IReadOnlyList<PhysicalTopic> Epochs { get; }

    /// <summary>The epoch a migration moves from (the only epoch when there is one).</summary>
    public PhysicalTopic Source { get; }

    /// <summary>The epoch a migration moves to, or null when the topic has one epoch.</summary>
    public PhysicalTopic? Target { get; }

    /// <summary>The physical topics producers write to in this phase: one, or source then target.</summary>
    public IReadOnlyList<PhysicalTopic> WriteTo { get; }

    /// <summary>The physical topic consumers read in this phase.</summary>
    public PhysicalTopic ReadFrom { get; }

    /// <summary>The epoch number (index in <see cref="Epochs"/>) of a physical topic.</summary>
    public int EpochOf(PhysicalTopic physical)
    {
        for (var i = 0; i < Epochs.Count; i++)
        {
            if (Epochs[i] == physical)
            {
                return i;
            }
        }

        return -1;
    }
}
