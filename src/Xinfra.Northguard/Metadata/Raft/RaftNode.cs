using Xinfra.Northguard.Metadata.Raft.Internal;

namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>
/// One member of one Raft group, written sans-IO: it is fed ticks (<see cref="Tick"/>), messages
/// (<see cref="Step"/>) and requests (<see cref="Propose"/>, <see cref="ReadIndex"/>, ...), and hands its output
/// back as a <see cref="Ready"/>. It never reads a clock, a socket or a file, so a simulator can drive it
/// deterministically. Not thread-safe: the host serializes all calls.
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly RaftLog _log;
    private readonly IRaftStorage _storage;
    private readonly List<ulong> _voters = [];
    private readonly Dictionary<ulong, Progress> _progress = [];
    private readonly Dictionary<ulong, bool> _votes = [];
    private List<RaftMessage> _messages = [];
    private List<ReadState> _readStates = [];
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private ulong _leadTransferee;
    private long _pendingConfIndex;
    private HardState _prevHardState;
    private Ready? _outstanding;

    /// <summary>Starts (or restarts) a node over storage that holds its persisted state.</summary>
    /// <param name="options">The node's settings and random source.</param>
    /// <param name="storage">The persisted log, hard state and snapshot; its snapshot's voters bootstrap a new group.</param>
    public RaftNode(RaftOptions options, IRaftStorage storage)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(storage);
        if (options.Id == 0 || options.ElectionTick <= options.HeartbeatTick || options.HeartbeatTick <= 0)
        {
            throw new ArgumentException("Id must not be 0 and 0 < HeartbeatTick < ElectionTick.", nameof(options));
        }

        _options = options;
        _storage = storage;
        _log = new RaftLog(storage);
        var hs = storage.HardState;
        Term = hs.Term;
        Vote = hs.Vote;
        _log.CommitTo(Math.Max(hs.Commit, storage.FirstIndex - 1));
        _log.RestoreAppliedAfterRestart(options.Applied);
        _prevHardState = hs;
        foreach (ulong voter in storage.Snapshot.Voters)
        {
            AddVoter(voter);
        }

        BecomeFollower(Term, 0);
    }

    /// <summary>This node's id.</summary>
    public ulong Id => _options.Id;

    /// <summary>The current term.</summary>
    public long Term { get; private set; }

    /// <summary>Whom this node voted for in <see cref="Term"/>, or 0.</summary>
    public ulong Vote { get; private set; }

    /// <summary>The current role.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>The leader this node knows of, or 0.</summary>
    public ulong Leader { get; private set; }

    /// <summary>The highest committed index this node knows.</summary>
    public long Committed => _log.Committed;

    /// <summary>The highest index handed to the application and advanced.</summary>
    public long Applied => _log.Applied;

    /// <summary>The last index in this node's log (persisted or not).</summary>
    public long LastIndex => _log.LastIndex;

    /// <summary>The voters, as applied (sorted).</summary>
    public IReadOnlyList<ulong> Voters => _voters;

    /// <summary>True while this node is a voter (it may campaign).</summary>
    public bool IsPromotable => _voters.Contains(Id);

    /// <summary>The leader-transfer target in progress, or 0.</summary>
    public ulong LeadTransferee => _leadTransferee;

    private HardState CurrentHardState => new(Term, Vote, _log.Committed);

    private int Quorum => (_voters.Count / 2) + 1;

    /// <summary>Reads the term of a log entry this node holds (for checks and tests).</summary>
    public bool TryGetTerm(long index, out long term) => _log.TryGetTerm(index, out term);

    /// <summary>Copies log entries in [<paramref name="low"/>, <paramref name="high"/>) that this node holds.</summary>
    public IReadOnlyList<LogEntry> GetEntries(long low, long high) =>
        _log.Slice(Math.Max(low, _log.FirstIndex), high, int.MaxValue);

    /// <summary>The first index this node still holds in its log.</summary>
    public long FirstIndex => _log.FirstIndex;

    private void EnsureNoOutstandingReady()
    {
        if (_outstanding is not null)
        {
            throw new InvalidOperationException("Call Advance for the outstanding Ready before feeding the node.");
        }
    }

    private void AddVoter(ulong id)
    {
        if (!_voters.Contains(id))
        {
            _voters.Add(id);
            _voters.Sort();
        }
    }

    private void Send(RaftMessage message)
    {
        _messages.Add(message with { From = Id });
    }
}
