using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Xinfra.Kafka.Internal;
using Xinfra.Transport;

namespace Xinfra.Kafka;

/// <summary>
/// Answers librdkafka's OAUTHBEARER refresh callback with a token from <see cref="KafkaTransportOptions.OAuthTokenProvider"/>
/// or, without one, from the security profile's token file (re-read at every refresh) or its inline token.
/// </summary>
internal sealed class OAuthTokenSource
{
    /// <summary>How long a token read from a file is used before the file is read again.</summary>
    private static readonly TimeSpan FileTokenLifetime = TimeSpan.FromMinutes(5);

    private readonly TransportContext _context;
    private readonly KafkaTransportOptions _options;
    private readonly ILogger _logger;

    public OAuthTokenSource(TransportContext context, KafkaTransportOptions options, ILogger logger)
    {
        _context = context;
        _options = options;
        _logger = logger;
    }

    /// <summary>True when the cluster's profile uses OAUTHBEARER.</summary>
    public static bool IsNeeded(TransportContext context) =>
        string.Equals(context.Security?.SaslMechanism, "OAUTHBEARER", StringComparison.OrdinalIgnoreCase);

    /// <summary>The refresh handler: sets a token, or a failure that names no secret.</summary>
    public void Refresh(IClient client, string? config)
    {
        try
        {
            var token = GetToken(config);
            client.OAuthBearerSetToken(token.Value, token.Expires.ToUnixTimeMilliseconds(), token.Principal);
        }
#pragma warning disable CA1031 // librdkafka must be told of any failure, whatever its type.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            KafkaLog.TokenRefreshFailed(_logger, _context.ClusterName, exception);
            client.OAuthBearerSetTokenFailure($"cluster '{_context.ClusterName}': token provider failed: {exception.GetType().Name}");
        }
    }

    private KafkaOAuthToken GetToken(string? config)
    {
        if (_options.OAuthTokenProvider is { } provider)
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            var request = new KafkaTokenRequest(_context.ClusterName, _context.ApplicationId, config);
            return provider(request, timeout.Token).AsTask().GetAwaiter().GetResult();
        }

        var value = _context.Security?.TokenFile is { } file
            ? File.ReadAllText(file).Trim()
            : _context.Security?.Token is { Length: > 0 } inline
                ? inline
                : throw new XinfraConfigurationException("no OAUTHBEARER token source") { Cluster = _context.ClusterName };
        return new KafkaOAuthToken(value, _context.TimeProvider.GetUtcNow() + FileTokenLifetime, _context.ApplicationId);
    }
}
