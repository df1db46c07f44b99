namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>The role a Raft node currently plays in its group.</summary>
public enum RaftRole
{
    /// <summary>Follows a leader (or waits for one) and votes.</summary>
    Follower,

    /// <summary>Asks peers whether it could win an election, without raising its term (pre-vote).</summary>
    PreCandidate,

    /// <summary>Raised its term and asks peers for their votes.</summary>
    Candidate,

    /// <summary>Accepts proposals and replicates the log.</summary>
    Leader,
}
