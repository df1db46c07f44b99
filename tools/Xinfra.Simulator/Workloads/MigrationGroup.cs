using Xinfra.Migration;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// What a consumer group shares, as the group coordinator and the checkpoint topic hold it: committed positions per
/// epoch (members commit what they delivered, in the same step), the members joined to each epoch (for the barrier),
/// the newest <see cref="MigrationCheckpoint"/> (first written for a flip wins) and the source coordinates delivered
/// from target copies since the last flip to the target (what FlipToSourceAsync recovers by scanning the target up to
/// the committed positions; the same set, since delivering and committing happen together here).
/// </summary>
internal sealed class MigrationGroup(int index, int members)
{
    public int Index => index;

    public int Members => members;

    public Dictionary<long, long> CommittedSource { get; } = [];

    public Dictionary<long, long> CommittedTarget { get; } = [];

    public Dictionary<long, OffsetIntervals> DeliveredFromTarget { get; } = [];

    public HashSet<int> OnSource { get; } = [];

    public HashSet<int> OnTarget { get; } = [];

    public MigrationCheckpoint? Checkpoint { get; set; }

    /// <summary>True when the group reads the target since the newest checkpoint.</summary>
    public bool ReadsTarget => Checkpoint?.ReadsTarget ?? false;
}
