using System.Globalization;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// The tunables of a Northguard cluster's transport, read from <c>Xinfra:Clusters:&lt;name&gt;:Settings</c>. Keys follow
/// the Kafka client's style (<c>group.session.timeout.ms</c>); an unknown key or a bad value is refused with the key's
/// full path, so a typo is not silently ignored.
/// </summary>
public sealed record NorthguardTransportSettings
{
    /// <summary>The settings used when a cluster lists none.</summary>
    public static NorthguardTransportSettings Default { get; } = new();

    /// <summary><c>group.session.timeout.ms</c>: a member silent this long is expelled. <value>10 s.</value></summary>
    public TimeSpan GroupSessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>group.heartbeat.interval.ms</c>: time between heartbeats; at most a third of the session timeout. <value>200 ms.</value></summary>
    public TimeSpan GroupHeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary><c>producer.linger.ms</c>: how long a batch waits for more records. <value>2 ms.</value></summary>
    public TimeSpan ProducerLinger { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary><c>producer.batch.max.bytes</c>: a batch is sent once it holds this many bytes. <value>256 KiB.</value></summary>
    public int ProducerBatchMaxBytes { get; init; } = 256 << 10;

    /// <summary><c>consumer.credit.records</c>: records a consume stream may have unread. <value>4096.</value></summary>
    public int ConsumerCreditRecords { get; init; } = 4096;

    /// <summary><c>consumer.credit.bytes</c>: bytes a consume stream may have unread. <value>8 MiB.</value></summary>
    public long ConsumerCreditBytes { get; init; } = 8 << 20;

    /// <summary><c>retry.backoff.ms</c>: pause before reconnecting after a broker failure. <value>50 ms.</value></summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary><c>retries</c>: consecutive failed connections before pending records fail. <value>100.</value></summary>
    public int Retries { get; init; } = 100;

    /// <summary><c>replication.factor</c>: replicas per segment of topics this client auto-creates. <value>3.</value></summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary><c>retention.ms</c>: retention of topics this client auto-creates; -1 keeps forever. <value>7 days.</value></summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(7);

    private static readonly string[] Keys =
    [
        "group.session.timeout.ms", "group.heartbeat.interval.ms", "producer.linger.ms", "producer.batch.max.bytes",
        "consumer.credit.records", "consumer.credit.bytes", "retry.backoff.ms", "retries", "replication.factor", "retention.ms",
    ];

    /// <summary>Reads the settings of the cluster in <paramref name="context"/>; throws <see cref="XinfraConfigurationException"/> naming the bad key.</summary>
    public static NorthguardTransportSettings From(TransportContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = Default;
        foreach (var (key, value) in context.Cluster.Settings)
        {
            settings = key switch
            {
                "group.session.timeout.ms" => settings with { GroupSessionTimeout = Millis(context, key, value, 100, 300_000) },
                "group.heartbeat.interval.ms" => settings with { GroupHeartbeatInterval = Millis(context, key, value, 10, 100_000) },
                "producer.linger.ms" => settings with { ProducerLinger = Millis(context, key, value, 0, 60_000) },
                "producer.batch.max.bytes" => settings with { ProducerBatchMaxBytes = (int)Number(context, key, value, 1, 64 << 20) },
                "consumer.credit.records" => settings with { ConsumerCreditRecords = (int)Number(context, key, value, 1, 1_000_000) },
                "consumer.credit.bytes" => settings with { ConsumerCreditBytes = Number(context, key, value, 1024, 1L << 32) },
                "retry.backoff.ms" => settings with { RetryBackoff = Millis(context, key, value, 1, 60_000) },
                "retries" => settings with { Retries = (int)Number(context, key, value, 0, 1_000_000) },
                "replication.factor" => settings with { ReplicationFactor = (int)Number(context, key, value, 1, 7) },
                "retention.ms" => settings with { Retention = value.Trim() == "-1" ? null : Millis(context, key, value, 1, long.MaxValue / TimeSpan.TicksPerMillisecond) },
                _ => throw Error(context, key, $"is not a Northguard setting; known settings: {string.Join(", ", Keys)}."),
            };
        }

        if (settings.GroupHeartbeatInterval * 3 > settings.GroupSessionTimeout)
        {
            throw Error(context, "group.heartbeat.interval.ms",
                $"({settings.GroupHeartbeatInterval.TotalMilliseconds:0}) must be at most a third of group.session.timeout.ms ({settings.GroupSessionTimeout.TotalMilliseconds:0}), so one lost heartbeat does not expel the member.");
        }

        return settings;
    }

    private static TimeSpan Millis(TransportContext context, string key, string value, long min, long max) =>
        TimeSpan.FromMilliseconds(Number(context, key, value, min, max));

    private static long Number(TransportContext context, string key, string value, long min, long max) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Error(context, key, $"'{value}' is not valid: expected a whole number from {min} to {max}.");

    private static XinfraConfigurationException Error(TransportContext context, string key, string problem) =>
        new($"Cluster '{context.ClusterName}': setting {key} {problem}")
        {
            Cluster = context.ClusterName,
            Field = $"{XinfraOptions.SectionName}:Clusters:{context.ClusterName}:Settings:{key}",
        };
}
