using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Merging two adjacent ranges: their open segments are sealed first, then the metadata merges them.</summary>
internal sealed partial class DataPathEngine
{
    /// <summary>
    /// Seals the open segment of each range, then merges the ranges in metadata. Producers move to the child;
    /// consumers read both parents to their ends before it.
    /// </summary>
    public Task<MergeRangesResponse> MergeAsync(MergeRangesRequest request, CancellationToken cancellationToken)
    {
        var left = new RangeId(request.LeftRangeId);
        var right = new RangeId(request.RightRangeId);
        return ChangeRangesAsync(
            request.Topic,
            [left, right],
            "range merge",
            leader => Peer(leader).MergeRangesAsync(request, cancellationToken: cancellationToken).ResponseAsync,
            async () => new MergeRangesResponse { Child = (await Metadata.MergeRangesAsync(left, right, cancellationToken).ConfigureAwait(false)).Value },
            cancellationToken);
    }
}
