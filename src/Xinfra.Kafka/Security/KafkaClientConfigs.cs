using System.Globalization;
using Confluent.Kafka;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>
/// Builds librdkafka configurations for one cluster: the cluster's bootstrap and raw settings, Xinfra's defaults
/// (idempotent acks=all producer, cooperative-sticky consumer with explicit commits) and the security profile mapped
/// to SSL/SASL properties. The profile wins over raw settings; secrets are never put in messages.
/// </summary>
internal static class KafkaClientConfigs
{
    public static ProducerConfig Producer(TransportContext context, KafkaTransportOptions options)
    {
        var config = new ProducerConfig();
        SetIfAbsent(config, context, "linger.ms", "5");
        SetIfAbsent(config, context, "partitioner", "murmur2_random");
        SetIfAbsent(config, context, "message.timeout.ms", Milliseconds(options.DeliveryTimeout));
        var maxMessage = Math.Max(context.Cluster.MaxRecordBytes + 64 * 1024, 1_000_000);
        SetIfAbsent(config, context, "message.max.bytes", maxMessage.ToString(CultureInfo.InvariantCulture));
        Common(config, context, options);

        // Not overridable: durability is the seam's contract, and topics are created explicitly (EnsureTopicAsync).
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.Set("allow.auto.create.topics", "false");
        return config;
    }

    public static ConsumerConfig Consumer(TransportContext context, KafkaTransportOptions options, ConsumerSpec spec)
    {
        var config = new ConsumerConfig();
        Common(config, context, options);
        config.GroupId = spec.GroupId;
        config.ClientId = spec.ClientId;
        config.AutoOffsetReset = spec.AutoOffsetReset == Transport.AutoOffsetReset.Latest
            ? Confluent.Kafka.AutoOffsetReset.Latest
            : Confluent.Kafka.AutoOffsetReset.Earliest;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = false;
        config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        config.Set("allow.auto.create.topics", "false");
        if (spec.Topics.Count == 1 && !context.Cluster.Settings.ContainsKey("dotnet.consumer.consume.result.fields"))
        {
            // One topic: its name is known, so Confluent.Kafka need not marshal a topic string per record.
            config.ConsumeResultFields = "headers,timestamp";
        }

        return config;
    }

    public static AdminClientConfig Admin(TransportContext context, KafkaTransportOptions options)
    {
        var config = new AdminClientConfig();
        Common(config, context, options);
        return config;
    }

    private static void Common(ClientConfig config, TransportContext context, KafkaTransportOptions options)
    {
        if (options.StatisticsInterval > TimeSpan.Zero)
        {
            config.Set("statistics.interval.ms", Milliseconds(options.StatisticsInterval));
        }

        foreach (var (key, value) in context.Cluster.Settings)
        {
            config.Set(key, value);
        }

        config.BootstrapServers = context.Cluster.Bootstrap;
        config.ClientId ??= context.ApplicationId;
        ApplySecurity(config, context, options);
    }

    private static void ApplySecurity(ClientConfig config, TransportContext context, KafkaTransportOptions options)
    {
        var profile = context.Security;
        if (profile is null)
        {
            return;
        }

        var mechanism = ParseMechanism(profile.SaslMechanism, context);
        config.SecurityProtocol = (profile.Tls, mechanism is not null) switch
        {
            (true, true) => SecurityProtocol.SaslSsl,
            (true, false) => SecurityProtocol.Ssl,
            (false, true) => SecurityProtocol.SaslPlaintext,
            _ => SecurityProtocol.Plaintext,
        };
        if (profile.CaCertificateFile is { } ca)
        {
            config.SslCaLocation = ca;
        }

        if (profile.ClientCertificateFile is { } certificate)
        {
            config.SslCertificateLocation = certificate;
            config.SslKeyLocation = profile.ClientKeyFile
                ?? throw Invalid(context, "ClientKeyFile", "a client certificate needs its private key file");
        }

        if (mechanism is not { } sasl)
        {
            return;
        }

        config.SaslMechanism = sasl;
        if (sasl == SaslMechanism.OAuthBearer)
        {
            if (options.OAuthTokenProvider is null && profile.TokenFile is null && string.IsNullOrEmpty(profile.Token))
            {
                throw Invalid(context, "TokenFile",
                    "OAUTHBEARER needs a token: set TokenFile or Token in the profile, or KafkaTransportOptions.OAuthTokenProvider");
            }

            return;
        }

        if (string.IsNullOrEmpty(profile.Username) || profile.Password is null)
        {
            throw Invalid(context, "Username", $"SASL {profile.SaslMechanism} needs Username and Password");
        }

        config.SaslUsername = profile.Username;
        config.SaslPassword = profile.Password;
    }

    private static SaslMechanism? ParseMechanism(string? mechanism, TransportContext context) => mechanism?.ToUpperInvariant() switch
    {
        null or "" => null,
        "PLAIN" => SaslMechanism.Plain,
        "SCRAM-SHA-256" => SaslMechanism.ScramSha256,
        "SCRAM-SHA-512" => SaslMechanism.ScramSha512,
        "OAUTHBEARER" => SaslMechanism.OAuthBearer,
        _ => throw Invalid(context, "SaslMechanism", $"'{mechanism}' is not supported; expected PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER"),
    };

    private static XinfraConfigurationException Invalid(TransportContext context, string field, string message)
    {
        var path = $"{XinfraOptions.SectionName}:SecurityProfiles:{context.Cluster.SecurityProfile ?? "?"}:{field}";
        return new($"{path}: {message} (cluster '{context.ClusterName}')")
        {
            Cluster = context.ClusterName,
            Field = path,
        };
    }

    private static void SetIfAbsent(ClientConfig config, TransportContext context, string key, string value)
    {
        if (!context.Cluster.Settings.ContainsKey(key))
        {
            config.Set(key, value);
        }
    }

    private static string Milliseconds(TimeSpan value) =>
        ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
