using System.Globalization;
using System.Text;
using Xinfra.Monitoring;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Producing;

/// <summary>
/// Dual write: the source copy first, then the target copy stamped with the source copy's coordinates
/// (<see cref="RecordHeaderNames.SourcePosition"/>), each retried on transient errors. The produce succeeds only when
/// both are durable. When a side fails for good the caller gets a <see cref="ProduceException"/> that says which side
/// holds the record (with its position) and which does not — never a silent single-side write. Writing in order costs
/// latency, not throughput, and gives consumers an exact cutover (docs/design/migration.md).
/// </summary>
internal sealed partial class XinfraProducer<TKey, TValue>
{
    private async ValueTask<TransportReceipt[]> WriteBothAsync(TopicRoute route, OutgoingRecord record, CancellationToken cancellationToken)
    {
        var source = route.WriteTo[0];
        var target = route.WriteTo[1];
        TransportReceipt sourceCopy;
        try
        {
            sourceCopy = await WriteOneAsync(source, record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ProduceException(
                $"Topic '{Topic}' ({route.Phase}): dual write failed on the source cluster '{source.Cluster}'; nothing was written to '{target.Cluster}': {ex.Message}",
                ex,
                isTransient: ex is XinfraException { IsTransient: true })
            { Topic = Topic, Cluster = source.Cluster, Phase = route.Phase.ToString() };
        }

        try
        {
            var targetCopy = await WriteOneAsync(target, WithSourcePosition(record, sourceCopy.Position), cancellationToken).ConfigureAwait(false);
            return [sourceCopy, targetCopy];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.DualWriteIncomplete(_logger, Topic, source.Cluster, target.Cluster, ex);
            throw new ProduceException(
                $"Topic '{Topic}' ({route.Phase}): dual write incomplete: the record is durable on cluster '{source.Cluster}' at {sourceCopy.Position} but failed on cluster '{target.Cluster}': {ex.Message}",
                ex,
                isTransient: ex is XinfraException { IsTransient: true })
            { Topic = Topic, Cluster = target.Cluster, Phase = route.Phase.ToString() };
        }
    }

    private static OutgoingRecord WithSourcePosition(OutgoingRecord record, TopicPartitionOffset position)
    {
        var headers = new List<XinfraHeader>(record.Headers.Count + 1);
        headers.AddRange(record.Headers);
        headers.Add(new XinfraHeader(RecordHeaderNames.SourcePosition, Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{position.Partition}:{position.Offset}"))));
        return record with { Headers = headers };
    }
}
