using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Migration;

/// <summary>
/// Backfill: copies a migrating topic's history from the source epoch to the target epoch (MirrorMaker's job), so
/// consumer groups that start on the target find everything. Records already dual-written (they carry
/// <see cref="RecordHeaderNames.Phase"/>) are skipped; each copy keeps key, value, headers and timestamp and is stamped
/// with its source position, which consumers use to cut over exactly. Progress is the committed position of the
/// group <c>xinfra-mirror.{topic}</c> on the source, so a run resumes where the last one stopped. Run it to
/// completion before the topic leaves <see cref="MigrationPhase.SourceOnly"/>: a record copied after newer records of
/// its key were dual-written lands after them on the target.
/// </summary>
public sealed partial class TopicMirror(XinfraConfigurationMonitor configuration, TransportRegistry transports, ILogger<TopicMirror> logger)
{
    /// <summary>The consumer group whose committed source positions record the mirror's progress.</summary>
    public static string GroupFor(string topic) => $"xinfra-mirror.{topic}";

    /// <summary>Copies what the source holds now and is not yet on the target; returns how many records were copied and skipped.</summary>
    public async Task<MirrorResult> RunAsync(string topic, CancellationToken cancellationToken = default)
    {
        var route = configuration.Current.Route(topic);
        var target = route.Target ?? throw new XinfraConfigurationException($"Topic '{topic}' has no target epoch to mirror into; add one to Xinfra:Topics:{topic}:Epochs.") { Topic = topic };
        var sourceTransport = transports.Get(route.Source.Cluster);
        var targetTransport = transports.Get(target.Cluster);
        await transports.EnsureTopicAsync(targetTransport, target, cancellationToken).ConfigureAwait(false);

        var group = GroupFor(topic);
        var partitions = await sourceTransport.DescribeTopicAsync(route.Source, cancellationToken).ConfigureAwait(false);
        var progress = await sourceTransport.DescribeGroupAsync(group, route.Source, cancellationToken).ConfigureAwait(false);
        var starts = new Dictionary<long, long>();
        var ends = new List<TopicPartitionOffset>();
        foreach (var partition in partitions)
        {
            var committed = progress.Committed.FirstOrDefault(c => c.TopicPartition == partition.TopicPartition).Offset;
            var start = Math.Max(committed, partition.Watermarks.Low);
            starts[partition.TopicPartition.Partition] = start;
            if (partition.Watermarks.High > start)
            {
                ends.Add(new TopicPartitionOffset(partition.TopicPartition, partition.Watermarks.High));
            }
        }

        long copied = 0, skipped = 0;
        var consumer = sourceTransport.CreateConsumer(new ConsumerSpec { GroupId = group, Topics = [route.Source], AutoOffsetReset = AutoOffsetReset.Earliest });
        await using (consumer.ConfigureAwait(false))
        {
            var remaining = ends.ToDictionary(e => e.TopicPartition, e => e.Offset);
            while (remaining.Count > 0)
            {
                var record = await consumer.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (!remaining.TryGetValue(record.Position.TopicPartition, out var end) || record.Position.Offset >= end)
                {
                    continue;
                }

                if (IsDualWritten(record))
                {
                    skipped++;
                }
                else
                {
                    await targetTransport.ProduceAsync(target, Copy(record), cancellationToken).ConfigureAwait(false);
                    copied++;
                }

                // The copy is durable on the target: record progress before moving on (a crash repeats at most this record).
                await consumer.CommitAsync([new TopicPartitionOffset(record.Position.TopicPartition, record.Position.Offset + 1)], cancellationToken).ConfigureAwait(false);
                if (record.Position.Offset + 1 >= end)
                {
                    remaining.Remove(record.Position.TopicPartition);
                }
            }
        }

        LogMirrored(logger, topic, copied, skipped);
        return new MirrorResult(topic, copied, skipped);
    }

    private static bool IsDualWritten(IncomingRecord record)
    {
        foreach (var header in record.Headers)
        {
            if (header.Name == RecordHeaderNames.Phase)
            {
                return true;
            }
        }

        return false;
    }

    private static OutgoingRecord Copy(IncomingRecord record)
    {
        var headers = new List<XinfraHeader>(record.Headers.Count + 1);
        headers.AddRange(record.Headers);
        headers.Add(new XinfraHeader(RecordHeaderNames.SourcePosition, Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{record.Position.Partition}:{record.Position.Offset}"))));
        return new OutgoingRecord(record.Key, record.Value, headers, record.Timestamp);
    }

    [LoggerMessage(3201, LogLevel.Information, "Topic {Topic}: mirror copied {Copied} records to the target, skipped {Skipped} already dual-written")]
    private static partial void LogMirrored(ILogger logger, string topic, long copied, long skipped);
}

/// <summary>What one mirror run did.</summary>
/// <param name="Topic">The logical topic.</param>
/// <param name="Copied">Records copied to the target.</param>
/// <param name="Skipped">Records skipped because they were dual-written.</param>
public sealed record MirrorResult(string Topic, long Copied, long Skipped);
