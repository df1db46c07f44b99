using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Range split: seal the open segment (on its leader), then split in metadata.</summary>
internal sealed partial class DataPathEngine
{
    public async Task<SplitRangeResponse> SplitAsync(SplitRangeRequest request, CancellationToken cancellationToken)
    {
        var rangeId = new RangeId(request.RangeId);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var description = await DescribeAsync(request.Topic, cancellationToken).ConfigureAwait(false);
            var (last, baseOffset) = LastSegment(description, rangeId);
            if (last is { State: SegmentState.Open })
            {
                ulong leader = last.Replicas[0];
                if (LeaderOf(last.Id) is { } running)
                {
                    await running.SealAsync("range split").ConfigureAwait(false);
                }
                else if (leader != BrokerId && IsLive(leader))
                {
                    return await Peer(leader).SplitRangeAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await SealOrphanAsync(description, last, baseOffset, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                var children = await Metadata.SplitRangeAsync(rangeId, request.At, cancellationToken).ConfigureAwait(false);
                var response = new SplitRangeResponse();
                response.Children.AddRange(children.Select(c => c.Value));
                return response;
            }
            catch (MetadataRequestException e) when (e.Message.Contains("open segment", StringComparison.Ordinal))
            {
                // A producer opened a new segment meanwhile: seal it too, after a pause that grows.
                await Task.Delay(TimeSpan.FromMilliseconds(25 << Math.Min(attempt, 5)), Time, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataRequestException e)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
            }
        }

        throw new RpcException(new Status(StatusCode.Unavailable, $"Range {rangeId} kept getting new segments; retry the split."));
    }
}
