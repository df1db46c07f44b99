using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Operations;

namespace Xinfra.Northguard.Cluster;

/// <summary>One step of a rolling restart, reported as it happens.</summary>
/// <param name="BrokerId">The broker being restarted.</param>
/// <param name="Index">Its position (from 1).</param>
/// <param name="Total">How many brokers restart.</param>
/// <param name="Stage">What happens now: <c>waiting-safe</c>, <c>stopping</c>, <c>starting</c>, <c>rejoining</c>, <c>done</c>.</param>
/// <param name="Detail">A line for the operator (e.g. the segments still blocking).</param>
public sealed record RollingRestartProgress(ulong BrokerId, int Index, int Total, string Stage, string Detail);

/// <summary>Rolling restart of the embedded cluster.</summary>
public sealed partial class NorthguardCluster
{
    /// <summary>
    /// Restarts every running broker, one at a time in id order: waits until <see cref="RestartSafety"/> says the
    /// broker is safe to restart (no segment with a replica on it under-replicated), stops it, starts it again on its
    /// port and data, and waits until every broker sees every other live and every vnode has a leader before the
    /// next one. Throws <see cref="ClusterUnavailableException"/> when a wait exceeds <paramref name="stepTimeout"/>
    /// (the broker being waited for is named; brokers already restarted stay restarted).
    /// </summary>
    public async Task RollingRestartAsync(TimeSpan stepTimeout, IProgress<RollingRestartProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var ids = Brokers.Select(b => b.BrokerId).Order().ToList();
        for (int i = 0; i < ids.Count; i++)
        {
            ulong id = ids[i];
            void Report(string stage, string detail) => progress?.Report(new RollingRestartProgress(id, i + 1, ids.Count, stage, detail));
            Report("waiting-safe", "waiting until no segment with a replica on the broker is under-replicated");
            await WaitUntilSafeAsync(id, stepTimeout, detail => Report("waiting-safe", detail), cancellationToken).ConfigureAwait(false);
            Report("stopping", "stopping");
            await StopBrokerAsync(id).ConfigureAwait(false);
            Report("starting", "starting on the same port and data");
            await RestartBrokerAsync(id, cancellationToken).ConfigureAwait(false);
            Report("rejoining", "waiting until every broker sees it live and every vnode has a leader");
            await WaitUntilReadyAsync(stepTimeout, cancellationToken).ConfigureAwait(false);
            Report("done", "restarted");
        }
    }

    private async Task WaitUntilSafeAsync(ulong id, TimeSpan timeout, Action<string> report, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new NorthguardMetadataClient(new NorthguardMetadataClientOptions
        {
            Bootstrap = [.. Brokers.Select(b => b.Endpoint)],
            TimeProvider = _options.TimeProvider,
        });
        string last = string.Empty;
        while (true)
        {
            try
            {
                var brokers = await client.ListBrokersAsync(deadline.Token).ConfigureAwait(false);
                var topics = await client.ListTopicsAsync(deadline.Token).ConfigureAwait(false);
                var safety = RestartSafety.Evaluate(id, topics, brokers);
                if (safety.Safe)
                {
                    return;
                }

                last = $"{safety.Blocking.Count} segment(s) block, e.g. {safety.Blocking[0].Topic} {safety.Blocking[0].Segment.Id} ({safety.Blocking[0].Reason})";
                report(last);
                await Task.Delay(TimeSpan.FromMilliseconds(250), _options.TimeProvider, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClusterUnavailableException($"Broker {id} did not become safe to restart within {timeout.TotalSeconds:0} s: {last}");
            }
            catch (XinfraException) when (!deadline.IsCancellationRequested)
            {
                // Metadata briefly unavailable (an election): ask again.
                await Task.Delay(TimeSpan.FromMilliseconds(250), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
