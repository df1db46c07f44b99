using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Simulator.Checks;

namespace Xinfra.Simulator.Clients;

/// <summary>
/// The read, decide, compare-and-set loop of the engine's <see cref="GroupPositions"/> over the simulated metadata:
/// the decisions are the engine's own (<see cref="GroupPositions.Claimed"/>, <see cref="GroupPositions.Committed"/>,
/// <see cref="PositionDocument"/> encoding), the conditional write is a <see cref="PutDocumentCommand"/> with the
/// version read, committed through the simulated Raft vnode. (<see cref="GroupPositions"/> itself awaits with
/// <c>ConfigureAwait(false)</c>, which would leave the simulation's single thread.) Every version read or written is
/// shown to the <see cref="GroupChecker"/>.
/// </summary>
internal sealed class SimPositions(MetaClient meta, GroupChecker checker, string group, string topic, ulong range)
{
    private readonly string _key = GroupPositions.Key(group, topic, range);

    /// <summary>Raises the range's lease epoch for <paramref name="member"/>; the new epoch, or null when the claim failed or its outcome is unknown.</summary>
    public async Task<long?> ClaimAsync(string member)
    {
        for (int attempt = 1; attempt <= GroupPositions.MaxAttempts; attempt++)
        {
            var (answered, document) = await meta.GetDocumentAsync(_key);
            if (!answered)
            {
                return null;
            }

            var current = Observe(document);
            var claimed = GroupPositions.Claimed(current, member);
            var result = await meta.WriteAsync(new PutDocumentCommand(_key, claimed.Encode(), document?.Version ?? 0), retryAfterTimeout: false);
            if (result?.IsOk == true)
            {
                checker.OnPositionDocument(group, topic, range, result.Version, Seen(claimed));
                return claimed.Epoch;
            }

            if (result?.Status != MetadataStatus.VersionMismatch)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Commits <paramref name="offset"/> under <paramref name="leaseEpoch"/>: <see cref="SimCommit.Applied"/> with the
    /// document written, <see cref="SimCommit.Fenced"/> (nothing written) with the document that refused it, or
    /// <see cref="SimCommit.Unknown"/> when no answer came (the write may or may not have been applied).
    /// </summary>
    public async Task<(SimCommit Outcome, PositionDocument Document, long Version)> CommitAsync(long offset, long? leaseEpoch, string member)
    {
        for (int attempt = 1; attempt <= GroupPositions.MaxAttempts; attempt++)
        {
            var (answered, document) = await meta.GetDocumentAsync(_key);
            if (!answered)
            {
                return (SimCommit.Unknown, default, 0);
            }

            var current = Observe(document);
            if (GroupPositions.Committed(current, offset, leaseEpoch, member) is not { } next)
            {
                return (SimCommit.Fenced, current, document?.Version ?? 0);
            }

            var result = await meta.WriteAsync(new PutDocumentCommand(_key, next.Encode(), document?.Version ?? 0), retryAfterTimeout: false);
            if (result?.IsOk == true)
            {
                checker.OnPositionDocument(group, topic, range, result.Version, Seen(next));
                return (SimCommit.Applied, next, result.Version);
            }

            if (result?.Status != MetadataStatus.VersionMismatch)
            {
                return (SimCommit.Unknown, default, 0);
            }
        }

        return (SimCommit.Unknown, default, 0);
    }

    /// <summary>The committed position a member starting the range reads (<c>FetchAsync</c>); (false, null) when no leader answered.</summary>
    public async Task<(bool Answered, long? Offset)> FetchAsync()
    {
        var (answered, document) = await meta.GetDocumentAsync(_key);
        return answered && Observe(document) is { HasOffset: true } position ? (true, position.Offset) : (answered, null);
    }

    private PositionDocument Observe(Xinfra.Northguard.Metadata.Model.ConfigDocument? document)
    {
        var current = GroupPositions.Parse(document);
        if (document is not null)
        {
            checker.OnPositionDocument(group, topic, range, document.Version, Seen(current));
        }

        return current;
    }

    private static GroupChecker.PositionDocument Seen(PositionDocument document) => new(document.Offset, document.Epoch, document.Holder);
}

/// <summary>How a simulated commit ended.</summary>
internal enum SimCommit
{
    Applied,
    Fenced,
    Unknown,
}
