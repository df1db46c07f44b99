using System.Diagnostics;
using System.Text;
using Xinfra.Monitoring;
using Xinfra.Serialization;
using Xinfra.Transport;

namespace Xinfra.Consuming;

/// <summary>Commits, rebalance callbacks and turning transport records into results.</summary>
internal sealed partial class XinfraConsumer<TKey, TValue>
{
    public async ValueTask CommitAsync(ConsumeResult<TKey, TValue> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var consumer = _consumer;
        if (consumer is null || result.Epoch != _epoch || result.Cluster != _reading?.Cluster)
        {
            throw new ConsumeException(
                $"Topic '{Topic}', group '{GroupId}': cannot commit {result.Position} read from epoch {result.Epoch} on cluster '{result.Cluster}'; the consumer now reads epoch {_epoch}.")
            { Topic = Topic, Cluster = result.Cluster };
        }

        var next = result.Position.Offset + 1;
        await consumer.CommitAsync([new TopicPartitionOffset(result.Position.TopicPartition, next)], cancellationToken).ConfigureAwait(false);
        if (_processed.TryGetValue(result.Position.TopicPartition, out var processed) && processed <= next)
        {
            _processed.Remove(result.Position.TopicPartition);
        }
    }

    public async ValueTask CommitAsync(CancellationToken cancellationToken = default)
    {
        _lastCommit = _timeProvider.GetTimestamp();
        if (_consumer is null || _processed.Count == 0)
        {
            return;
        }

        var positions = new List<TopicPartitionOffset>(_processed.Count);
        foreach (var (tp, offset) in _processed)
        {
            positions.Add(new TopicPartitionOffset(tp, offset));
        }

        await _consumer.CommitAsync(positions, cancellationToken).ConfigureAwait(false);
        _processed.Clear();
    }

    /// <summary>A periodic commit: a failure (say, a rebalance in progress) keeps the positions for the next try.</summary>
    private async ValueTask TryCommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConsumeException ex)
        {
            Log.CommitDeferred(_logger, Topic, GroupId, ex);
            ClientMetrics.CommitFailures.Add(1, new KeyValuePair<string, object?>("topic", Topic), new KeyValuePair<string, object?>("group", GroupId), new KeyValuePair<string, object?>("outcome", "deferred"));
        }
    }

    /// <summary>
    /// The commit before leaving an epoch's group: the cut a migration takes from it must include everything this
    /// member processed, so transient refusals (a rebalance in progress) are retried.
    /// </summary>
    private async ValueTask CommitBeforeLeavingAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ConsumeException ex) when (attempt < 20)
            {
                Log.CommitDeferred(_logger, Topic, GroupId, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(250), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (ConsumeException ex)
            {
                // The cluster keeps refusing (this member was expelled, its partitions already moved): what it
                // processed since its last commit will be delivered again — at least once, never lost.
                Log.CommitAbandoned(_logger, Topic, GroupId, ex);
                ClientMetrics.CommitFailures.Add(1, new KeyValuePair<string, object?>("topic", Topic), new KeyValuePair<string, object?>("group", GroupId), new KeyValuePair<string, object?>("outcome", "abandoned"));
                _processed.Clear();
                return;
            }
        }
    }

    private ConsumeResult<TKey, TValue> ToResult(IncomingRecord record)
    {
        var key = _keyDeserializer.Deserialize(record.Key is { } k ? k.Span : default, record.Key is null, new SerializationContext(Topic, MessageComponent.Key));
        var value = _valueDeserializer.Deserialize(record.Value is { } v ? v.Span : default, record.Value is null, new SerializationContext(Topic, MessageComponent.Value));
        var headers = new XinfraHeaders(record.Headers);
        var producerContext = TraceContext(headers);
        if (XinfraTelemetry.ActivitySource.HasListeners())
        {
            using var receive = XinfraTelemetry.ActivitySource.StartActivity($"{Topic} receive", ActivityKind.Consumer, producerContext);
            receive?.SetTag("messaging.system", "xinfra");
            receive?.SetTag("messaging.destination.name", Topic);
            receive?.SetTag("xinfra.cluster", record.Cluster);
            receive?.SetTag("messaging.destination.partition.id", record.Position.Partition);
            receive?.SetTag("messaging.kafka.offset", record.Position.Offset);
        }

        var tags = ClientMetrics.Tags(Topic, record.Cluster);
        ClientMetrics.ConsumedRecords.Add(1, tags);
        ClientMetrics.ConsumedBytes.Add((record.Key?.Length ?? 0) + (record.Value?.Length ?? 0), tags);
        return new ConsumeResult<TKey, TValue>
        {
            Topic = Topic,
            Cluster = record.Cluster,
            Epoch = _epoch,
            Position = record.Position,
            Key = key,
            Value = value,
            Headers = headers,
            Timestamp = record.Timestamp,
            ProducerContext = producerContext,
        };
    }

    private static ActivityContext TraceContext(XinfraHeaders headers)
    {
        if (headers.TryGetString(RecordHeaderNames.TraceParent, out var parent))
        {
            headers.TryGetString(RecordHeaderNames.TraceState, out var state);
            if (ActivityContext.TryParse(parent, state, isRemote: true, out var context))
            {
                return context;
            }
        }

        return default;
    }

    private static string Describe(IReadOnlyList<TopicPartition> partitions)
    {
        var text = new StringBuilder();
        foreach (var tp in partitions)
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(tp.ToString());
        }

        return text.ToString();
    }

    /// <summary>Receives rebalances from the transport consumer, inside its read call.</summary>
    private sealed class Listener(XinfraConsumer<TKey, TValue> owner) : IRebalanceListener
    {
        public void OnAssigned(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
            Log.PartitionsAssigned(owner._logger, owner.Topic, owner.GroupId, Describe(partitions));
            owner._options.OnPartitionsAssigned?.Invoke(partitions);
        }

        public void OnRevoked(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
            var positions = new List<TopicPartitionOffset>();
            foreach (var tp in partitions)
            {
                owner._lag.Forget(tp);
                if (owner._processed.Remove(tp, out var offset))
                {
                    positions.Add(new TopicPartitionOffset(tp, offset));
                }
            }

            if (positions.Count > 0)
            {
                // Rebalance callbacks run inside the transport's read call, which is where the commit must finish
                // before the partitions move: wait for it here.
                try
                {
                    var commit = consumer.CommitAsync(positions, CancellationToken.None);
                    if (!commit.IsCompletedSuccessfully)
                    {
                        commit.AsTask().GetAwaiter().GetResult();
                    }
                }
                catch (ConsumeException ex)
                {
                    // Partitions lost rather than revoked (the member was expelled): the next owner starts from the
                    // last successful commit, so some records are delivered again — at least once, never lost.
                    Log.CommitAbandoned(owner._logger, owner.Topic, owner.GroupId, ex);
                    ClientMetrics.CommitFailures.Add(1, new KeyValuePair<string, object?>("topic", owner.Topic), new KeyValuePair<string, object?>("group", owner.GroupId), new KeyValuePair<string, object?>("outcome", "abandoned"));
                }
            }

            Log.PartitionsRevoked(owner._logger, owner.Topic, owner.GroupId, Describe(partitions));
            owner._options.OnPartitionsRevoked?.Invoke(partitions);
        }
    }
}
