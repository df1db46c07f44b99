using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xinfra.Routing;
using Xinfra.Serialization;
using Xinfra.Transport;

namespace Xinfra.Producing;

/// <summary>Turning a message into the bytes every copy carries: serialized key and value, user headers, Xinfra headers.</summary>
internal sealed partial class XinfraProducer<TKey, TValue>
{
    private (OutgoingRecord Record, string MessageId) BuildRecord(XinfraMessage<TKey, TValue> message, TopicRoute route)
    {
        var key = _keySerializer.Serialize(message.Key, new SerializationContext(Topic, MessageComponent.Key));
        var value = _valueSerializer.Serialize(message.Value, new SerializationContext(Topic, MessageComponent.Value));
        var timestamp = message.Timestamp ?? _timeProvider.GetUtcNow();
        var messageId = string.Create(CultureInfo.InvariantCulture, $"{_producerId}:{Interlocked.Increment(ref _sequence)}");

        var userHeaders = message.Headers;
        var headers = new List<XinfraHeader>((userHeaders?.Count ?? 0) + 5);
        if (userHeaders is not null)
        {
            foreach (var header in userHeaders)
            {
                if (!header.Name.StartsWith("xinfra-", StringComparison.Ordinal))
                {
                    headers.Add(header);
                }
            }
        }

        headers.Add(new XinfraHeader(RecordHeaderNames.MessageId, Encoding.UTF8.GetBytes(messageId)));
        headers.Add(new XinfraHeader(RecordHeaderNames.ProducedAt, Encoding.UTF8.GetBytes(timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture))));
        if (route.Phase != MigrationPhase.SourceOnly)
        {
            headers.Add(new XinfraHeader(RecordHeaderNames.Phase, Encoding.UTF8.GetBytes(route.Phase.ToString())));
        }

        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            headers.Add(new XinfraHeader(RecordHeaderNames.TraceParent, Encoding.UTF8.GetBytes(activity.Id!)));
            if (activity.TraceStateString is { Length: > 0 } state)
            {
                headers.Add(new XinfraHeader(RecordHeaderNames.TraceState, Encoding.UTF8.GetBytes(state)));
            }
        }

        // A null byte[] would convert to an empty (non-null) ReadOnlyMemory: keep null as null.
        var record = new OutgoingRecord(
            key is null ? default(ReadOnlyMemory<byte>?) : key,
            value is null ? default(ReadOnlyMemory<byte>?) : value,
            headers,
            timestamp);
        CheckSize(record, route);
        return (record, messageId);
    }

    private void CheckSize(OutgoingRecord record, TopicRoute route)
    {
        var size = record.SizeInBytes;
        foreach (var physical in route.WriteTo)
        {
            var limit = _configuration.Current.Options.Clusters[physical.Cluster].MaxRecordBytes;
            if (size > limit)
            {
                throw new RecordTooLargeException(
                    $"Topic '{Topic}': the record is {size} bytes (key, value and headers); cluster '{physical.Cluster}' accepts at most {limit} (Xinfra:Clusters:{physical.Cluster}:MaxRecordBytes). Nothing was written.",
                    size,
                    limit)
                { Topic = Topic, Cluster = physical.Cluster, Phase = route.Phase.ToString() };
            }
        }
    }
}
