using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// What range splits and merges share: the open segment of every range involved is sealed first (here when this
/// broker leads it, as an orphan when its leader is gone, otherwise the request goes to its leader), then the metadata
/// change is applied; a segment a producer opened meanwhile is sealed too, after a pause that grows.
/// </summary>
internal sealed partial class DataPathEngine
{
    private async Task<T> ChangeRangesAsync<T>(
        string topic,
        IReadOnlyList<RangeId> ranges,
        string reason,
        Func<ulong, Task<T>> forwardToLeader,
        Func<Task<T>> apply,
        CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var description = await DescribeAsync(topic, cancellationToken).ConfigureAwait(false);
            foreach (var rangeId in ranges)
            {
                var (last, baseOffset) = LastSegment(description, rangeId);
                if (last is not { State: SegmentState.Open })
                {
                    continue;
                }

                ulong leader = last.Replicas[0];
                if (LeaderOf(last.Id) is { } running)
                {
                    await running.SealAsync(reason).ConfigureAwait(false);
                }
                else if (leader != BrokerId && IsLive(leader))
                {
                    return await forwardToLeader(leader).ConfigureAwait(false);
                }
                else
                {
                    await SealOrphanAsync(description, last, baseOffset, cancellationToken).ConfigureAwait(false);
                }
            }

            try
            {
                return await apply().ConfigureAwait(false);
            }
            catch (MetadataRequestException e) when (e.Message.Contains("open segment", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(25 << Math.Min(attempt, 5)), Time, cancellationToken).ConfigureAwait(false);
            }
            catch (MetadataRequestException e)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
            }
        }

        throw new RpcException(new Status(StatusCode.Unavailable,
            $"Range(s) {string.Join(", ", ranges)} of '{topic}' kept getting new segments; retry the {reason}."));
    }
}
