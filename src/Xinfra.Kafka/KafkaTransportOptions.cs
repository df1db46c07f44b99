namespace Xinfra.Kafka;

/// <summary>Options of the Kafka transport, shared by every Kafka cluster of the application.</summary>
public sealed class KafkaTransportOptions
{
    /// <summary>
    /// How often librdkafka reports statistics, which become <c>xinfra.kafka.*</c> metrics; zero turns them off.
    /// A cluster's <c>statistics.interval.ms</c> setting wins. <value>The default is 5 seconds.</value>
    /// </summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a record may wait for delivery, retries included, before it fails (<c>message.timeout.ms</c>,
    /// unless a cluster sets it). <value>The default is 30 seconds.</value>
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long closing a transport waits for records still in flight. <value>The default is 10 seconds.</value></summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long admin and metadata requests may take. <value>The default is 10 seconds.</value></summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Records a consumer's fetch loop may buffer ahead of the reader. <value>The default is 1024.</value></summary>
    public int ConsumerBufferSize { get; set; } = 1024;

    /// <summary>Replication factor of topics the transport creates; -1 uses the broker's default. <value>The default is -1.</value></summary>
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>
    /// Supplies SASL/OAUTHBEARER tokens for clusters whose security profile uses <c>OAUTHBEARER</c>. Called by
    /// librdkafka's refresh handler whenever a token is needed (at start and before expiry). When null, the profile's
    /// <see cref="SecurityProfileOptions.TokenFile"/> is read instead.
    /// </summary>
    public Func<KafkaTokenRequest, CancellationToken, ValueTask<KafkaOAuthToken>>? OAuthTokenProvider { get; set; }
}
