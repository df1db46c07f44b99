using System.Text;
using System.Text.Json;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Migration;

/// <summary>
/// Migration checkpoints in a one-partition topic, <c>__xinfra_checkpoints</c>, on the target cluster, keyed by group,
/// logical topic and epochs. For each key the highest <see cref="MigrationCheckpoint.Flip"/> counts, and within one
/// flip the first record written: members that race to write the same flip all adopt the first. A later record of the
/// same flip marked <see cref="MigrationCheckpoint.Confirmed"/> confirms the first.
/// </summary>
internal sealed class CheckpointStore(TransportRegistry transports, TimeProvider timeProvider)
{
    public const string TopicName = "__xinfra_checkpoints";

    public static string Key(string group, TopicRoute route) =>
        $"{group}|{route.Topic}|{route.Source.Cluster}/{route.Source.Name}|{route.Target!.Cluster}/{route.Target.Name}";

    public async Task<MigrationCheckpoint?> ReadAsync(string cluster, string key, CancellationToken cancellationToken)
    {
        var topic = Topic(cluster);
        var transport = transports.Get(cluster);
        await transports.EnsureTopicAsync(transport, topic, cancellationToken).ConfigureAwait(false);
        var high = (await transport.DescribeTopicAsync(topic, cancellationToken).ConfigureAwait(false))[0].Watermarks.High;
        if (high == 0)
        {
            return null;
        }

        MigrationCheckpoint? best = null;
        var consumer = transport.CreateConsumer(new ConsumerSpec
        {
            GroupId = $"xinfra-checkpoint-reader-{Guid.NewGuid():N}",
            Topics = [topic],
            AutoOffsetReset = AutoOffsetReset.Earliest,
        });
        await using (consumer.ConfigureAwait(false))
        {
            while (true)
            {
                var record = await consumer.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (record.Key is { } k && Encoding.UTF8.GetString(k.Span) == key && record.Value is { } v)
                {
                    var checkpoint = JsonSerializer.Deserialize(v.Span, MigrationJson.Default.MigrationCheckpoint)
                        ?? throw new CorruptDataException($"Checkpoint '{key}' on cluster '{cluster}' is empty.", TopicName, record.Position.Offset);
                    best = Merge(best, checkpoint);
                }

                if (record.Position.Offset + 1 >= high)
                {
                    return best;
                }
            }
        }
    }

    public async Task WriteAsync(string cluster, string key, MigrationCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var topic = Topic(cluster);
        var transport = transports.Get(cluster);
        await transports.EnsureTopicAsync(transport, topic, cancellationToken).ConfigureAwait(false);
        var value = JsonSerializer.SerializeToUtf8Bytes(checkpoint, MigrationJson.Default.MigrationCheckpoint);
        await transport.ProduceAsync(topic, new OutgoingRecord(Encoding.UTF8.GetBytes(key), value, [], timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The newest checkpoint once <paramref name="record"/> (the next record of the key, in log order) is read: the
    /// first record of the highest flip wins; a later record of that flip marked confirmed confirms it.
    /// </summary>
    internal static MigrationCheckpoint Merge(MigrationCheckpoint? best, MigrationCheckpoint record)
    {
        if (best is null || record.Flip > best.Flip)
        {
            return record;
        }

        return record.Flip == best.Flip && record.Confirmed ? best with { Confirmed = true } : best;
    }

    private static PhysicalTopic Topic(string cluster) => new(TopicName, cluster, TopicName, 1);
}
