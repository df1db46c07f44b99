namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The state a node must persist (and fsync) before it sends any message produced with it.</summary>
/// <param name="Term">The current term.</param>
/// <param name="Vote">The node voted for in <paramref name="Term"/>, or 0 for none.</param>
/// <param name="Commit">The highest index known to be committed.</param>
public readonly record struct HardState(long Term, ulong Vote, long Commit)
{
    /// <summary>The state of a node that never ran.</summary>
    public static HardState Empty => default;
}
