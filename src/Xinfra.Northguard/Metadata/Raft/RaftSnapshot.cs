namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>A state machine image covering the log up to <see cref="Index"/>, with the voters at that point.</summary>
/// <param name="Index">The last log index the image includes.</param>
/// <param name="Term">The term of the entry at <paramref name="Index"/>.</param>
/// <param name="Voters">The voters after applying every entry up to <paramref name="Index"/>.</param>
/// <param name="Data">The application's encoded state.</param>
public sealed record RaftSnapshot(long Index, long Term, IReadOnlyList<ulong> Voters, ReadOnlyMemory<byte> Data)
{
    /// <summary>The snapshot of an empty log.</summary>
    public static RaftSnapshot Empty { get; } = new(0, 0, [], ReadOnlyMemory<byte>.Empty);
}
