namespace Xinfra.Kafka;

/// <summary>A SASL/OAUTHBEARER token handed to librdkafka.</summary>
/// <param name="Value">The token (typically a JWS compact serialization). Never logged.</param>
/// <param name="Expires">When the token expires; librdkafka asks for a new one before then.</param>
/// <param name="Principal">The Kafka principal the token names.</param>
public sealed record KafkaOAuthToken(string Value, DateTimeOffset Expires, string Principal)
{
    /// <inheritdoc />
    public override string ToString() => $"KafkaOAuthToken(Principal={Principal}, Expires={Expires:O}, Value=***)";
}

/// <summary>Who asks for an OAUTHBEARER token.</summary>
/// <param name="Cluster">The cluster name from configuration.</param>
/// <param name="ApplicationId">The application id.</param>
/// <param name="Config">The cluster's <c>sasl.oauthbearer.config</c> setting, if any.</param>
public readonly record struct KafkaTokenRequest(string Cluster, string ApplicationId, string? Config);
