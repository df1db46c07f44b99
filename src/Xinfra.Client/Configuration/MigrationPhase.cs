namespace Xinfra;

/// <summary>
/// Where a logical topic's producers write and its consumers read while it moves from a source epoch to a target
/// epoch. Phases advance or retreat one step at a time.
/// </summary>
public enum MigrationPhase
{
    /// <summary>Producers write to the source epoch only; consumers read the source.</summary>
    SourceOnly = 0,

    /// <summary>Producers write to both epochs; consumers read the source.</summary>
    DualWriteReadSource = 1,

    /// <summary>Producers write to both epochs; consumers read the target.</summary>
    DualWriteReadTarget = 2,

    /// <summary>Producers write to the target epoch only; consumers read the target.</summary>
    TargetOnly = 3,
}
