using System.Runtime.InteropServices;
using Confluent.Kafka;
using Xinfra.Transport;
using KafkaTopicPartition = Confluent.Kafka.TopicPartition;
using XinfraTopicPartition = Xinfra.Transport.TopicPartition;
using XinfraTopicPartitionOffset = Xinfra.Transport.TopicPartitionOffset;

namespace Xinfra.Kafka.Internal;

/// <summary>
/// Maps Xinfra records to Kafka messages and back: key and value bytes as they are (no copy when the memory is a
/// whole array), headers in order with repeats kept, the timestamp as CreateTime (left to the producer when default).
/// </summary>
internal static class KafkaRecordMapping
{
    private static readonly XinfraHeader[] NoHeaders = [];

    public static Message<byte[]?, byte[]?> ToMessage(in OutgoingRecord record)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = record.Key is { } key ? ToArray(key) : null,
            Value = record.Value is { } value ? ToArray(value) : null,
            Timestamp = record.Timestamp == default ? Timestamp.Default : new Timestamp(record.Timestamp),
        };
        var headers = record.Headers;
        if (headers is { Count: > 0 })
        {
            var kafkaHeaders = new Headers();
            for (var i = 0; i < headers.Count; i++)
            {
                kafkaHeaders.Add(headers[i].Name, ToArray(headers[i].Value));
            }

            message.Headers = kafkaHeaders;
        }

        return message;
    }

    /// <summary>Maps a consumed record; <paramref name="topic"/> stands in when Confluent.Kafka was told not to marshal topics.</summary>
    public static IncomingRecord ToIncoming(string cluster, Confluent.Kafka.ConsumeResult<ReadOnlyMemory<byte>?, ReadOnlyMemory<byte>?> result, string topic)
    {
        var message = result.Message;
        var headers = NoHeaders;
        if (message.Headers is { Count: > 0 } kafkaHeaders)
        {
            headers = new XinfraHeader[kafkaHeaders.Count];
            for (var i = 0; i < headers.Length; i++)
            {
                var header = kafkaHeaders[i];
                headers[i] = new XinfraHeader(header.Key, header.GetValueBytes() ?? []);
            }
        }

        return new IncomingRecord(
            cluster,
            new XinfraTopicPartitionOffset(new XinfraTopicPartition(result.Topic ?? topic, result.Partition.Value), result.Offset.Value),
            message.Key,
            message.Value,
            headers,
            ToDateTimeOffset(message.Timestamp));
    }

    public static DateTimeOffset ToDateTimeOffset(Timestamp timestamp) =>
        timestamp.Type == TimestampType.NotAvailable
            ? default
            : DateTimeOffset.FromUnixTimeMilliseconds(timestamp.UnixTimestampMs);

    /// <summary>
    /// The timestamp a receipt reports: the broker's (CreateTime echoed, or a plausible LogAppendTime), else the one
    /// the record was sent with (librdkafka's mock cluster answers a fixed LogAppendTime of 1970).
    /// </summary>
    public static DateTimeOffset ReceiptTimestamp(Timestamp reported, DateTimeOffset sent) =>
        reported.Type == TimestampType.CreateTime || (reported.Type == TimestampType.LogAppendTime && reported.UnixTimestampMs > PlausibleMs)
            ? DateTimeOffset.FromUnixTimeMilliseconds(reported.UnixTimestampMs)
            : sent;

    private const long PlausibleMs = 946_684_800_000; // 2000-01-01

    public static KafkaTopicPartition ToKafka(XinfraTopicPartition partition) =>
        new(partition.Topic, new Partition(checked((int)partition.Partition)));

    public static XinfraTopicPartition ToXinfra(KafkaTopicPartition partition) => new(partition.Topic, partition.Partition.Value);

    public static Confluent.Kafka.TopicPartitionOffset ToKafka(XinfraTopicPartitionOffset position) =>
        new(position.Topic, new Partition(checked((int)position.Partition)), new Offset(position.Offset));

    private static byte[] ToArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
}
