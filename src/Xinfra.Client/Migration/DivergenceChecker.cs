using System.Text;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Migration;

/// <summary>
/// Compares a migrating topic's source and target epochs over a time window (by record timestamp, which both copies
/// share), keyed by Xinfra message id. Reads each partition from its low watermark to the high watermark seen at the
/// start; records without a message id (not written by Xinfra) are keyed by their key, value and timestamp.
/// </summary>
public sealed class DivergenceChecker(XinfraConfigurationMonitor configuration, TransportRegistry transports)
{
    /// <summary>Checks <paramref name="topic"/> over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<DivergenceReport> CheckAsync(string topic, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var route = configuration.Current.Route(topic);
        if (route.Target is null)
        {
            throw new XinfraConfigurationException($"Topic '{topic}' has one epoch; a divergence check needs a source and a target (Xinfra:Topics:{topic}:Epochs).") { Topic = topic };
        }

        var (sourceIds, source) = await DigestAsync(route.Source, from, to, cancellationToken).ConfigureAwait(false);
        var (targetIds, target) = await DigestAsync(route.Target, from, to, cancellationToken).ConfigureAwait(false);
        var onlySource = sourceIds.Except(targetIds).ToList();
        var onlyTarget = targetIds.Except(sourceIds).ToList();
        return new DivergenceReport
        {
            Topic = topic,
            From = from,
            To = to,
            Source = source,
            Target = target,
            MissingOnTarget = onlySource.Count,
            MissingOnSource = onlyTarget.Count,
            Examples = [.. onlySource.Take(10).Select(id => $"source only: {id}"), .. onlyTarget.Take(10).Select(id => $"target only: {id}")],
        };
    }

    private async Task<(HashSet<string> Ids, EpochDigest Digest)> DigestAsync(PhysicalTopic topic, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var transport = transports.Get(topic.Cluster);
        IReadOnlyList<PartitionInfo> partitions;
        try
        {
            partitions = await transport.DescribeTopicAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (UnknownTopicException)
        {
            // Nothing was ever written to this side: every record of the other side is missing here.
            partitions = [];
        }

        var starts = partitions.ToDictionary(p => p.TopicPartition.Partition, p => p.Watermarks.Low);
        var ends = partitions.Where(p => p.Watermarks.High > p.Watermarks.Low)
            .Select(p => new TopicPartitionOffset(p.TopicPartition, p.Watermarks.High)).ToList();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var perPartition = new Dictionary<long, (long Count, ulong Hash)>();
        ulong hash = 0;
        await foreach (var record in PartitionScan.ReadAsync(transport, topic, starts, ends, cancellationToken).ConfigureAwait(false))
        {
            if (record.Timestamp < from || record.Timestamp >= to)
            {
                continue;
            }

            var id = MessageId(record);
            if (!ids.Add(id))
            {
                continue;
            }

            var h = Fnv1a(id);
            hash ^= h;
            var (count, partitionHash) = perPartition.GetValueOrDefault(record.Position.Partition);
            perPartition[record.Position.Partition] = (count + 1, partitionHash ^ h);
        }

        return (ids, new EpochDigest(topic.Cluster, ids.Count, hash, perPartition));
    }

    private static string MessageId(IncomingRecord record)
    {
        foreach (var header in record.Headers)
        {
            if (header.Name == RecordHeaderNames.MessageId)
            {
                return Encoding.UTF8.GetString(header.Value.Span);
            }
        }

        var key = record.Key is { } k ? Convert.ToHexString(k.Span) : "-";
        var value = record.Value is { } v ? Fnv1a(Convert.ToHexString(v.Span)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) : "-";
        return $"anon:{key}:{value}:{record.Timestamp.ToUnixTimeMilliseconds()}";
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
