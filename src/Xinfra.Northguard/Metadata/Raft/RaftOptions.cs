namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>Settings of one Raft node. Time is counted in ticks of the host's choosing.</summary>
public sealed record RaftOptions
{
    /// <summary>This node's id (not 0).</summary>
    public required ulong Id { get; init; }

    /// <summary>Followers campaign after a random number of ticks in [ElectionTick, 2 × ElectionTick).</summary>
    /// <value>The default value is 10.</value>
    public int ElectionTick { get; init; } = 10;

    /// <summary>The leader sends heartbeats every this many ticks (less than <see cref="ElectionTick"/>).</summary>
    /// <value>The default value is 1.</value>
    public int HeartbeatTick { get; init; } = 1;

    /// <summary>Run a pre-vote round before raising the term, so a partitioned node cannot disrupt the group.</summary>
    /// <value>The default value is true.</value>
    public bool PreVote { get; init; } = true;

    /// <summary>The leader steps down when it has not heard from a quorum for an election timeout; followers that
    /// hear from a leader ignore vote requests for that long (leader lease).</summary>
    /// <value>The default value is true.</value>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>The most entries in one append message.</summary>
    /// <value>The default value is 64.</value>
    public int MaxEntriesPerMessage { get; init; } = 64;

    /// <summary>The most committed entries handed out in one <see cref="Ready"/>.</summary>
    /// <value>The default value is 1024.</value>
    public int MaxCommittedPerReady { get; init; } = 1024;

    /// <summary>The index the application had applied when the node was (re)started; its state machine must hold
    /// exactly the effects up to it. Defaults to the storage's snapshot index.</summary>
    public long Applied { get; init; }

    /// <summary>The seeded random source for election timeouts. Never shared across threads.</summary>
    public required Random Random { get; init; }
}
