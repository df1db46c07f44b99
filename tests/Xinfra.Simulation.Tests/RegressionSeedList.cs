namespace Xinfra.Simulation.Tests;

/// <summary>
/// Seeds that made a run fail once, kept so the fix stays fixed. Each entry says what it found.
/// </summary>
internal static class RegressionSeedList
{
    /// <summary>Seed and simulated seconds of the run that failed.</summary>
    public static readonly (long Seed, int Seconds, string Found)[] Entries =
    [
        (5, 60, "producer re-formed an in-flight batch after a timeout, so the leader appended records twice in one segment"),
        (11, 60, "same as 5, on a merge"),
        (15, 30, "consumer groups: a stale heartbeat, applied after a newer one, released ranges its member still read (fixed in GroupState)"),
        (6, 60, "consumer groups: a slow topic read in the coordinator expelled members that heartbeated all along (fixed: GroupState.Seen)"),
        (1, 30, "consumer groups: after the coordinator crashed, the new one granted ranges members of the old one still read (fixed: member lease + takeover grace)"),
        (179, 60, "same as 1: positions committed by the member of the old coordinator moved backwards (fixed: member lease + takeover grace)"),
        (408, 60, "same as 179"),
        (712, 60, "same as 179"),
        (150, 60, "consumer groups: an isolated coordinator kept its group state and granted on it after the heal while the other coordinator's member still held the ranges (fixed: every group waits a grace when the live view changes)"),
        (412, 60, "consumer groups (model): the commit loop and a leave committed one hold at once; the older put was applied last and the position moved backwards (fixed: one commit per hold at a time)"),
        (429, 60, "consumer groups: under a one-way partition two brokers chose themselves as coordinator from their own liveness views and both granted one range (fixed: the coordinator is the group's metadata vnode leader)"),
        (571, 60, "groups + retention: records of a deleted segment read late (stale metadata, copy not reclaimed yet) after another member skipped them were reported as out of order (checker: exempt below the low watermark)"),
        (131, 60, "retention (simulator): a produce reached a stale leader model of a segment sealed by an orphan seal while its leader was cut off, then deleted by retention and reclaimed on that broker; the store's SegmentNotFoundException escaped the message handler and took the whole process down (fixed: a reclaim drops the leader model and a produce to a reclaimed copy answers Sealed; an exception in any event now fails the run, not the process)"),
        (232, 60, "groups (ENGINE bug): a heartbeat's grant of ranges 12 and 13 waited for its lease claims while a later heartbeat freed the ranges and granted them to another member under a newer epoch; the first grant was then sent anyway (the coordinator only checked the member was still in the group), two members read the ranges (fixed: GroupState.CompleteGrant, a grant is sent only if the range is still assigned to the member after its claim; engine and model)"),
    ];

    /// <summary>Seeds that failed with consumer groups off (<c>--groups 0</c>): seed and simulated seconds.</summary>
    public static readonly (long Seed, int Seconds, string Found)[] WithoutGroups =
    [
        (50, 60, "retention (checker): a resend found in an earlier sealed segment was acknowledged at its offset there; retention then deleted that segment, but the checker counted the ack against the new segment and reported the record lost (fixed: the ack is attributed to the segment holding its offsets)"),
        (296, 60, "resend (ENGINE bug): an orphan seal recorded an end beyond this broker's copy; the resend lookup read the short local copy, took its empty page for the end of the segment and wrote the resent append a second time (fixed in DataPathEngine.CollectStoredAsync: only a local copy reaching the sealed end answers, a remote stream ending early is Unavailable)"),
    ];
}
