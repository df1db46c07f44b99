using Confluent.Kafka;

namespace Xinfra.Kafka.Internal;

/// <summary>What a failed Kafka call was doing, which picks the exception type for errors that are not specific.</summary>
internal enum KafkaOperation
{
    Produce,
    Consume,
    Admin,
}

/// <summary>Turns librdkafka errors into the <see cref="XinfraException"/> family, naming the logical topic and cluster.</summary>
internal static class KafkaErrors
{
    public static XinfraException ToException(Error error, string? topic, string cluster, KafkaOperation operation, Exception? inner = null)
    {
        var what = operation switch
        {
            KafkaOperation.Produce => "produce to",
            KafkaOperation.Consume => "consume from",
            _ => "admin request for",
        };
        var where = topic is null ? $"cluster '{cluster}'" : $"topic '{topic}' on cluster '{cluster}'";
        var message = $"Kafka {what} {where} failed: {error.Reason} ({error.Code})";
        XinfraException exception = error.Code switch
        {
            ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge =>
                new RecordTooLargeException(message, -1, -1) { Topic = topic, Cluster = cluster },
            ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.Local_UnknownPartition =>
                new UnknownTopicException(message) { Topic = topic, Cluster = cluster },
            ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed
                or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.SaslAuthenticationFailed
                or ErrorCode.Local_Authentication or ErrorCode.IllegalSaslState or ErrorCode.UnsupportedSaslMechanism =>
                new AuthorizationException(message, inner) { Topic = topic, Cluster = cluster },
            ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Transport or ErrorCode.Local_Resolve
                or ErrorCode.Local_MsgTimedOut or ErrorCode.Local_TimedOut or ErrorCode.BrokerNotAvailable =>
                new ClusterUnavailableException(message, inner) { Topic = topic, Cluster = cluster },
            ErrorCode.OffsetOutOfRange =>
                new OffsetOutOfRangeException(message, -1, -1, -1) { Topic = topic, Cluster = cluster },
            _ => operation switch
            {
                KafkaOperation.Produce => new ProduceException(message, inner, IsRetriable(error)) { Topic = topic, Cluster = cluster },
                KafkaOperation.Consume => new ConsumeException(message, inner) { Topic = topic, Cluster = cluster },
                _ => new XinfraException(message, inner) { Topic = topic, Cluster = cluster },
            },
        };
        return exception;
    }

    public static XinfraException ToException(KafkaException exception, string? topic, string cluster, KafkaOperation operation) =>
        ToException(exception.Error, topic, cluster, operation, exception);

    private static bool IsRetriable(Error error) => error.Code switch
    {
        ErrorCode.Local_QueueFull or ErrorCode.NotLeaderForPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.RequestTimedOut or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.NetworkException or ErrorCode.Local_Retry => true,
        _ => false,
    };
}
