using System.Globalization;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Groups;

/// <summary>
/// Committed positions of consumer groups, fenced in the write itself. Each range's position document
/// (<see cref="Key"/>, content <see cref="PositionDocument"/>) carries the range's lease epoch: the coordinator raises
/// it with a compare-and-set on the document's version before it grants the range (<see cref="ClaimAsync"/>), and a
/// commit that carries a lease epoch is a compare-and-set too, refused when the document holds a newer lease
/// (<see cref="CommitAsync"/>). Every step is read, check, write-if-the-version-is-unchanged, so a stale member's
/// commit can never overwrite the position of the member the range was granted to after it, however late it arrives
/// or whichever coordinator granted what. Coordinators keep no epoch in memory: it lives in the metadata.
/// </summary>
internal sealed class GroupPositions(IMetadataService metadata)
{
    /// <summary>Compare-and-set attempts before giving up (each lost race means another writer made progress).</summary>
    public const int MaxAttempts = 16;

    /// <summary>The metadata document holding a group's position in a range: <c>__ng.positions/group/topic/range</c>.</summary>
    public static string Key(string group, string topic, ulong range) =>
        string.Create(CultureInfo.InvariantCulture, $"__ng.positions/{group}/{topic}/{range}");

    /// <summary>The committed next offset, or null when none was committed (a lease claim alone commits nothing).</summary>
    public async Task<long?> FetchAsync(string key, CancellationToken cancellationToken)
    {
        var document = await metadata.GetDocumentAsync(key, cancellationToken).ConfigureAwait(false);
        return document is null ? null : PositionDocument.Decode(document.Content.Span) is { HasOffset: true } position ? position.Offset : null;
    }

    /// <summary>
    /// Raises the range's lease epoch for <paramref name="member"/>, keeping the committed offset; returns the new
    /// epoch, larger than any the range had. Commits of earlier leases are refused from then on.
    /// </summary>
    public async Task<long> ClaimAsync(string key, string member, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        for (int attempt = 1; ; attempt++)
        {
            var (current, version) = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
            var claimed = Claimed(current, member);
            try
            {
                await metadata.PutDocumentAsync(key, claimed.Encode(), version, cancellationToken).ConfigureAwait(false);
                return claimed.Epoch;
            }
            catch (DocumentVersionMismatchException) when (attempt < MaxAttempts)
            {
                // A commit or another claim won the race: read again.
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="offset"/> as the range's committed next offset. With <paramref name="leaseEpoch"/> the
    /// write is fenced: refused (nothing written) when the document holds a newer lease, or the same epoch for another
    /// member. Without it (a client from before fencing) the commit is unconditional but keeps the lease fields.
    /// </summary>
    public async Task<CommitOutcome> CommitAsync(string key, long offset, long? leaseEpoch, string member, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        for (int attempt = 1; ; attempt++)
        {
            var (current, version) = await ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (Committed(current, offset, leaseEpoch, member) is not { } next)
            {
                return new CommitOutcome(true, current.Epoch, current.Holder);
            }

            try
            {
                await metadata.PutDocumentAsync(key, next.Encode(), version, cancellationToken).ConfigureAwait(false);
                return new CommitOutcome(false, next.Epoch, next.Holder);
            }
            catch (DocumentVersionMismatchException) when (attempt < MaxAttempts)
            {
                // A claim or a commit got in between: check the lease again on the new version.
            }
        }
    }

    /// <summary>The document a claim by <paramref name="member"/> writes over <paramref name="current"/>: the next lease epoch, the offset kept.</summary>
    public static PositionDocument Claimed(PositionDocument current, string member) =>
        current with { Epoch = current.Epoch + 1, Holder = member };

    /// <summary>
    /// The document a commit writes over <paramref name="current"/>, or null when it is fenced (nothing may be written):
    /// the document holds a newer lease than <paramref name="leaseEpoch"/>, or the same epoch for another member.
    /// Without a lease epoch (a client from before fencing) the offset is written and the lease fields are kept.
    /// </summary>
    public static PositionDocument? Committed(PositionDocument current, long offset, long? leaseEpoch, string member)
    {
        if (leaseEpoch is not { } epoch)
        {
            return current with { Offset = offset };
        }

        if (current.Epoch > epoch || (current.Epoch == epoch && current.Holder.Length > 0 && current.Holder != member))
        {
            return null;
        }

        // Equal: the holder commits. Smaller: the document lost its lease (written before fencing, or restored).
        return new PositionDocument(offset, epoch, member);
    }

    /// <summary>A stored document's position content, or the empty one (no offset, no lease) when it is absent.</summary>
    public static PositionDocument Parse(ConfigDocument? document) =>
        document is null ? new PositionDocument(PositionDocument.NoOffset, 0, string.Empty) : PositionDocument.Decode(document.Content.Span);

    /// <summary>The document and its version (0 and an empty document with no lease when absent).</summary>
    private async Task<(PositionDocument Document, long Version)> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var document = await metadata.GetDocumentAsync(key, cancellationToken).ConfigureAwait(false);
        return (Parse(document), document?.Version ?? 0);
    }
}

/// <summary>What a commit did: written, or <see cref="Fenced"/> by the lease the document holds (epoch and member).</summary>
internal readonly record struct CommitOutcome(bool Fenced, long HolderEpoch, string HolderMember);
