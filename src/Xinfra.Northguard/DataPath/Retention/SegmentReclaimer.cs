using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.DataPath.Retention;

/// <summary>
/// Drops this broker's copies of segments the cluster no longer keeps: segments retention marked
/// <see cref="SegmentState.Deleted"/>, and segments of topics that were deleted (or deleted and created again). Every
/// <see cref="DataPathOptions.ReclaimInterval"/> it lists the local segments first and reads the metadata after: a
/// segment is created on a replica only after its opening committed, so a segment listed here and missing from the
/// metadata read after is gone for good, never "not yet known".
/// </summary>
internal sealed partial class SegmentReclaimer(DataPathEngine engine)
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Start()
    {
        if (engine.Options.ReclaimInterval > TimeSpan.Zero)
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    public async ValueTask StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stopping.Dispose();
    }

    /// <summary>One pass; returns the store ids of the segments deleted here.</summary>
    public async Task<IReadOnlyList<long>> RunOnceAsync(CancellationToken token)
    {
        var store = engine.Store;
        var byTopic = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (long id in store.ListSegments())
        {
            if (store.GetSegment(id) is { } local)
            {
                (byTopic.TryGetValue(local.Topic, out var ids) ? ids : byTopic[local.Topic] = []).Add(id);
            }
        }

        var reclaimed = new List<long>();
        foreach (var (topic, ids) in byTopic)
        {
            HashSet<long> kept;
            try
            {
                var description = await engine.Metadata.DescribeTopicAsync(topic, token).ConfigureAwait(false);
                kept = [.. description.Segments.Where(s => s.State != SegmentState.Deleted).Select(s => StoreIds.Of(s.Id))];
            }
            catch (UnknownTopicException)
            {
                kept = [];
            }

            foreach (long id in ids)
            {
                if (!kept.Contains(id) && store.DeleteSegment(id))
                {
                    LogReclaimed(engine.Logger, engine.BrokerId, id, topic);
                    reclaimed.Add(id);
                }
            }
        }

        return reclaimed;
    }

    private async Task RunAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(engine.Options.ReclaimInterval, engine.Time);
        while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
        {
            try
            {
                await RunOnceAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Metadata unavailable or a store error: the next pass retries.
                LogPassFailed(engine.Logger, e, engine.BrokerId);
            }
        }
    }

    [LoggerMessage(EventId = 3240, Level = LogLevel.Information, Message = "Broker {Broker} dropped its copy of segment {StoreSegment} of '{Topic}': the cluster no longer keeps it")]
    private static partial void LogReclaimed(ILogger logger, ulong broker, long storeSegment, string topic);

    [LoggerMessage(EventId = 3241, Level = LogLevel.Warning, Message = "A reclaim pass on broker {Broker} failed; the next one retries")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, ulong broker);
}
