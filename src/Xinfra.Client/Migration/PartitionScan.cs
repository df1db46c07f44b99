using System.Runtime.CompilerServices;
using Xinfra.Transport;

namespace Xinfra.Migration;

/// <summary>Reads chosen partitions of a topic over offset ranges [start, end) with a private, never-committing group.</summary>
internal static class PartitionScan
{
    public static async IAsyncEnumerable<IncomingRecord> ReadAsync(
        ITransport transport,
        PhysicalTopic topic,
        IReadOnlyDictionary<long, long> starts,
        IReadOnlyList<TopicPartitionOffset> ends,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (ends.Count == 0)
        {
            yield break;
        }

        var remaining = ends.ToDictionary(e => e.TopicPartition, e => e.Offset);
        var consumer = transport.CreateConsumer(new ConsumerSpec
        {
            GroupId = $"xinfra-cutover-scan-{Guid.NewGuid():N}",
            Topics = [topic],
            AutoOffsetReset = AutoOffsetReset.Earliest,
            Listener = new SeekToStarts(starts),
        });
        await using (consumer.ConfigureAwait(false))
        {
            while (remaining.Count > 0)
            {
                var record = await consumer.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!remaining.TryGetValue(record.Position.TopicPartition, out var end) || record.Position.Offset >= end)
                {
                    continue;
                }

                yield return record;
                if (record.Position.Offset + 1 >= end)
                {
                    remaining.Remove(record.Position.TopicPartition);
                }
            }
        }
    }

    private sealed class SeekToStarts(IReadOnlyDictionary<long, long> starts) : IRebalanceListener
    {
        public void OnAssigned(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
            foreach (var partition in partitions)
            {
                consumer.Seek(new TopicPartitionOffset(partition, starts.GetValueOrDefault(partition.Partition)));
            }
        }

        public void OnRevoked(ITransportConsumer consumer, IReadOnlyList<TopicPartition> partitions)
        {
        }
    }
}
