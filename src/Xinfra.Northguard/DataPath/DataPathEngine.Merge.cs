using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>Merging two adjacent ranges: their open segments are sealed first, then the metadata merges them.</summary>
internal sealed partial class DataPathEngine
{
    /// <summary>
    /// Seals the open segment of each range (here when this broker leads it, as an orphan when its leader is gone,
    /// otherwise by forwarding the request to its leader), then merges the ranges in metadata. Producers move to the
    /// child; consumers read both parents to their ends before it.
    /// </summary>
    public async Task<MergeRangesResponse> MergeAsync(MergeRangesRequest request, CancellationToken cancellationToken)
    {
        var left = new RangeId(request.LeftRangeId);
        var right = new RangeId(request.RightRangeId);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var description = await DescribeAsync(request.Topic, cancellationToken).ConfigureAwait(false);
            foreach (var rangeId in new[] { left, right })
            {
                var (last, baseOffset) = LastSegment(description, rangeId);
                if (last is not { State: SegmentState.Open })
                {
                    continue;
                }

                ulong leader = last.Replicas[0];
                if (LeaderOf(last.Id) is { } running)
                {
                    await running.SealAsync("range merge").ConfigureAwait(false);
                }
                else if (leader != BrokerId && IsLive(leader))
                {
                    return await Peer(leader).MergeRangesAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await SealOrphanAsync(description, last, baseOffset, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                var child = await Metadata.MergeRangesAsync(left, right, cancellationToken).ConfigureAwait(false);
                return new MergeRangesResponse { Child = child.Value };
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

        throw new RpcException(new Status(StatusCode.Unavailable, $"Ranges {left} and {right} kept getting new segments; retry the merge."));
    }
}
