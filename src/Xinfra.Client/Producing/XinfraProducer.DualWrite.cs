using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Producing;

/// <summary>
/// Dual write: both copies are written concurrently, each retried on transient errors; the produce succeeds only if
/// both are durable. When one side fails for good the caller gets a <see cref="ProduceException"/> that says which
/// side holds the record (with its position) and which does not — never a silent single-side write.
/// </summary>
internal sealed partial class XinfraProducer<TKey, TValue>
{
    private async ValueTask<TransportReceipt[]> WriteBothAsync(TopicRoute route, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var source = WriteOneAsync(route.WriteTo[0], record, cancellationToken).AsTask();
        var target = WriteOneAsync(route.WriteTo[1], record, cancellationToken).AsTask();
        try
        {
            await Task.WhenAll(source, target).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw DualWriteFailure(route, source, target);
        }

        return [source.Result, target.Result];
    }

    private ProduceException DualWriteFailure(TopicRoute route, Task<TransportReceipt> source, Task<TransportReceipt> target)
    {
        var sourceCluster = route.WriteTo[0].Cluster;
        var targetCluster = route.WriteTo[1].Cluster;
        if (source.IsCompletedSuccessfully || target.IsCompletedSuccessfully)
        {
            var (ok, okCluster, failed, failedCluster) = source.IsCompletedSuccessfully
                ? (source.Result, sourceCluster, target, targetCluster)
                : (target.Result, targetCluster, source, sourceCluster);
            var error = failed.Exception!.InnerException!;
            Log.DualWriteIncomplete(_logger, Topic, okCluster, failedCluster, error);
            return new ProduceException(
                $"Topic '{Topic}' ({route.Phase}): dual write incomplete: the record is durable on cluster '{okCluster}' at {ok.Position} but failed on cluster '{failedCluster}': {error.Message}",
                error,
                isTransient: error is XinfraException { IsTransient: true })
            { Topic = Topic, Cluster = failedCluster, Phase = route.Phase.ToString() };
        }

        var both = new AggregateException(source.Exception!.InnerException!, target.Exception!.InnerException!);
        return new ProduceException(
            $"Topic '{Topic}' ({route.Phase}): dual write failed on both clusters '{sourceCluster}' and '{targetCluster}': {both.InnerExceptions[0].Message}; {both.InnerExceptions[1].Message}",
            both)
        { Topic = Topic, Cluster = sourceCluster, Phase = route.Phase.ToString() };
    }
}
