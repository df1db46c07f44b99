using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Migration;

/// <summary>
/// The barrier of a flip: no member of the group may still read the epoch being left, or its commits would move
/// the cut. Where the cluster can count group members, wait until none is left; where it cannot (librdkafka's mock),
/// wait until the group's committed positions there stay unchanged for the quiet period.
/// </summary>
internal sealed partial class MigrationCutover
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private async Task<GroupDescription> WaitUntilAbandonedAsync(TopicRoute route, PhysicalTopic leaving, string group, CancellationToken cancellationToken)
    {
        var transport = transports.Get(leaving.Cluster);
        var started = timeProvider.GetTimestamp();
        var lastReport = started;
        GroupDescription? previous = null;
        var stableSince = started;
        while (true)
        {
            var now = await transport.DescribeGroupAsync(group, leaving, cancellationToken).ConfigureAwait(false);
            if (now.Members == 0)
            {
                // The positions of that answer may have been read before the count (Northguard answers them from
                // separate calls): a member that committed and left in between would be missing from the cut. Every
                // member had left when the count was taken, so positions read from now on are final.
                return await transport.DescribeGroupAsync(group, leaving, cancellationToken).ConfigureAwait(false);
            }

            if (now.Members > 0)
            {
                // Someone is still there: the quiet period, where it applies, counts from when none is known to be.
                stableSince = timeProvider.GetTimestamp();
            }
            else if (now.Members < 0)
            {
                if (previous is null || !previous.Committed.SequenceEqual(now.Committed))
                {
                    stableSince = timeProvider.GetTimestamp();
                }
                else if (timeProvider.GetElapsedTime(stableSince) >= quietPeriod)
                {
                    return now;
                }
            }

            if (timeProvider.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(10))
            {
                lastReport = timeProvider.GetTimestamp();
                Log.CutoverWaiting(logger, route.Topic, group, leaving.ToString(), now.Members, timeProvider.GetElapsedTime(started).TotalSeconds);
            }

            previous = now;
            await Task.Delay(Poll, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
