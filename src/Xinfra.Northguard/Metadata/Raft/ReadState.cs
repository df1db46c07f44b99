namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>
/// The answer to <see cref="RaftNode.ReadIndex"/>: once the local state machine has applied <paramref name="Index"/>,
/// a read for <paramref name="Context"/> may be served linearizably.
/// </summary>
/// <param name="Index">The commit index the leader had when the read was confirmed.</param>
/// <param name="Context">The caller's request id (never 0).</param>
public readonly record struct ReadState(long Index, long Context);
