using Microsoft.Extensions.Logging;

namespace Xinfra.Kafka.Internal;

/// <summary>Source-generated log messages of the Kafka transport (event ids 6000-6099).</summary>
internal static partial class KafkaLog
{
    [LoggerMessage(6000, LogLevel.Information, "Kafka transport for cluster {Cluster} created (bootstrap {Bootstrap}, security {Security})")]
    public static partial void TransportCreated(ILogger logger, string cluster, string bootstrap, string security);

    [LoggerMessage(6001, LogLevel.Warning, "Kafka cluster {Cluster}: {Client} error {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, string cluster, string client, string code, string reason);

    [LoggerMessage(6002, LogLevel.Error, "Kafka cluster {Cluster}: {Client} fatal error {Code}: {Reason}")]
    public static partial void FatalError(ILogger logger, string cluster, string client, string code, string reason);

    [LoggerMessage(EventId = 6003, Message = "librdkafka {Cluster}/{Facility}: {Message}")]
    public static partial void LibrdkafkaLog(ILogger logger, LogLevel level, string cluster, string facility, string message);

    /// <summary>Maps librdkafka's syslog levels: errors and warnings stay visible, the rest is debug output.</summary>
    public static LogLevel ToLogLevel(Confluent.Kafka.SyslogLevel level) => level switch
    {
        <= Confluent.Kafka.SyslogLevel.Error => LogLevel.Error,
        Confluent.Kafka.SyslogLevel.Warning => LogLevel.Warning,
        Confluent.Kafka.SyslogLevel.Notice or Confluent.Kafka.SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    [LoggerMessage(6004, LogLevel.Information, "Kafka cluster {Cluster}: group {Group} assigned {Partitions}")]
    public static partial void Assigned(ILogger logger, string cluster, string group, string partitions);

    [LoggerMessage(6005, LogLevel.Information, "Kafka cluster {Cluster}: group {Group} revoked {Partitions} (lost: {Lost})")]
    public static partial void Revoked(ILogger logger, string cluster, string group, string partitions, bool lost);

    [LoggerMessage(6006, LogLevel.Warning, "Kafka cluster {Cluster}: {Count} records still undelivered after the flush timeout at close")]
    public static partial void UndeliveredAtClose(ILogger logger, string cluster, int count);

    [LoggerMessage(6007, LogLevel.Warning, "Kafka cluster {Cluster}: statistics could not be parsed")]
    public static partial void StatisticsUnparsed(ILogger logger, string cluster, Exception exception);

    [LoggerMessage(6008, LogLevel.Warning, "Kafka cluster {Cluster}: OAUTHBEARER token refresh failed")]
    public static partial void TokenRefreshFailed(ILogger logger, string cluster, Exception exception);

    [LoggerMessage(6009, LogLevel.Information, "Kafka cluster {Cluster}: created topic {Topic} with {Partitions} partitions")]
    public static partial void TopicCreated(ILogger logger, string cluster, string topic, int partitions);
}
