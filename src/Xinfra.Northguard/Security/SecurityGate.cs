using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Security;

/// <summary>
/// The broker's authentication and authorization: resolves the caller from its token (or client certificate) and
/// answers ACL questions from caches with a short TTL (<see cref="BrokerSecurityOptions.CacheTtl"/>), so the data path
/// reads the metadata store at most once per TTL per (topic, principal). Changes made through this broker's admin
/// service invalidate its caches at once; other brokers see them within one TTL.
/// </summary>
internal sealed class SecurityGate(BrokerSecurityOptions options, Func<IMetadataService> metadata, TimeProvider time)
{
    private static readonly TimeSpan MinTokenRefresh = TimeSpan.FromMilliseconds(100);
    private readonly byte[] _clusterToken = Encoding.UTF8.GetBytes(options.ClusterToken ?? string.Empty);
    private readonly ConcurrentDictionary<(string Topic, string Principal), (AclOperations Operations, long Expires)> _acls = new();
    private readonly SemaphoreSlim _tokenRefresh = new(1, 1);
    private volatile TokenCache _tokens = new(new Dictionary<string, TokenRecord>(StringComparer.Ordinal), long.MinValue, long.MinValue);

    public BrokerSecurityOptions Options => options;

    public SecurityStore Store => new(metadata(), time);

    /// <summary>The caller of a call with <paramref name="authorization"/> header and TLS client certificate, or null with why not.</summary>
    public async ValueTask<(SecurityPrincipal? Principal, string? Failure)> AuthenticateAsync(string? authorization, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
    {
        if (authorization is null)
        {
            return clientCertificate is not null
                ? (new SecurityPrincipal(clientCertificate.Subject, PrincipalKind.Certificate, false), null)
                : (null, "the call carries no token (authorization: Bearer <token>) and no client certificate");
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "the authorization header is not a Bearer token");
        }

        string token = authorization[7..].Trim();
        if (_clusterToken.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), _clusterToken))
        {
            return (SecurityPrincipal.Cluster, null);
        }

        if (!TokenFormat.TryParse(token, out var id, out var secret))
        {
            return (null, "the token is malformed");
        }

        var record = await FindTokenAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null || !TokenFormat.Matches(record, secret))
        {
            return (null, $"token {id} is unknown or does not match");
        }

        return record.RevokedAt is not null
            ? (null, $"token {id} of application '{record.Application}' was revoked")
            : (new SecurityPrincipal(record.Application, PrincipalKind.Application, record.ClusterAdmin), null);
    }

    /// <summary>What <paramref name="principal"/> may do on <paramref name="topic"/>.</summary>
    public async ValueTask<AclOperations> AclAsync(string topic, string principal, CancellationToken cancellationToken)
    {
        long now = time.GetTimestamp();
        if (_acls.TryGetValue((topic, principal), out var cached) && cached.Expires > now)
        {
            return cached.Operations;
        }

        var operations = await metadata().GetAclAsync(topic, principal, cancellationToken).ConfigureAwait(false);
        _acls[(topic, principal)] = (operations, now + Ticks(options.CacheTtl));
        return operations;
    }

    public void InvalidateAcl(string topic, string principal) => _acls.TryRemove((topic, principal), out _);

    public void InvalidateTokens() => _tokens = _tokens with { Expires = long.MinValue, LoadedAt = long.MinValue };

    private async ValueTask<TokenRecord?> FindTokenAsync(string id, CancellationToken cancellationToken)
    {
        var tokens = _tokens;
        long now = time.GetTimestamp();
        bool known = tokens.ById.TryGetValue(id, out var record);
        bool expired = tokens.Expires <= now;
        bool mayRefreshUnknown = !known && now - tokens.LoadedAt >= Ticks(MinTokenRefresh);
        if (!expired && !mayRefreshUnknown)
        {
            return record;
        }

        await _tokenRefresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(tokens, _tokens))
            {
                var loaded = await Store.LoadTokensAsync(cancellationToken).ConfigureAwait(false);
                var byId = new Dictionary<string, TokenRecord>(StringComparer.Ordinal);
                foreach (var t in loaded)
                {
                    byId[t.Id] = t;
                }

                long at = time.GetTimestamp();
                _tokens = new TokenCache(byId, at + Ticks(options.CacheTtl), at);
            }

            return _tokens.ById.GetValueOrDefault(id);
        }
        finally
        {
            _tokenRefresh.Release();
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private sealed record TokenCache(Dictionary<string, TokenRecord> ById, long Expires, long LoadedAt);
}
