using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Range split: seal the open segment (on its leader), then split in metadata.</summary>
internal sealed partial class DataPathEngine
{
    public Task<SplitRangeResponse> SplitAsync(SplitRangeRequest request, CancellationToken cancellationToken)
    {
        var rangeId = new RangeId(request.RangeId);
        return ChangeRangesAsync(
            request.Topic,
            [rangeId],
            "range split",
            leader => Peer(leader).SplitRangeAsync(request, cancellationToken: cancellationToken).ResponseAsync,
            async () =>
            {
                var children = await Metadata.SplitRangeAsync(rangeId, request.At, cancellationToken).ConfigureAwait(false);
                var response = new SplitRangeResponse();
                response.Children.AddRange(children.Select(c => c.Value));
                return response;
            },
            cancellationToken);
    }
}
