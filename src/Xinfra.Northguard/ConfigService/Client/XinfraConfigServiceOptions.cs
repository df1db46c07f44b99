using Microsoft.Extensions.Logging;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>How <c>AddXinfraConfigService</c> reaches the config service and where it keeps its last-known-good copy.</summary>
public sealed class XinfraConfigServiceOptions
{
    /// <summary>Broker endpoints (<c>host:port</c> or <c>http://host:port</c>) serving the config service; any broker serves it. Required.</summary>
    public IReadOnlyList<string> Endpoints { get; set; } = [];

    /// <summary>The document name, one per environment / application profile (e.g. <c>prod/payments</c>). Required.</summary>
    public string Document { get; set; } = string.Empty;

    /// <summary>
    /// The file holding the last-known-good document (written atomically with a checksum). Required: without it a
    /// service outage at start would stop the application.
    /// </summary>
    public string CachePath { get; set; } = string.Empty;

    /// <summary>The configuration section the document is exposed as. <value>The default is <c>Xinfra</c>.</value></summary>
    public string SectionName { get; set; } = XinfraOptions.SectionName;

    /// <summary>How long the first fetch may take, over every endpoint, before starting from the cache. <value>The default is 5 s.</value></summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first pause before reconnecting a broken watch; it doubles per failure. <value>The default is 200 ms.</value></summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest pause between reconnect attempts. <value>The default is 10 s.</value></summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Seed of the reconnect jitter (each pause is 50-100 % of the backoff). <value>The default is 1.</value></summary>
    public int Seed { get; set; } = 1;

    /// <summary>Kinds a document may name, for the client-side validation; null accepts every kind. <value>The default is null.</value></summary>
    public IReadOnlySet<ClusterKind>? RegisteredKinds { get; set; }

    /// <summary>The clock for ages and reconnect pauses. <value>The default is the system clock.</value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the provider logs (fetches, rejections, cache problems). <value>The default discards logs.</value></summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// TLS (CA file, optional client certificate) and the application token for brokers with security on (see
    /// docs/security.md); null connects in plaintext without a token. <value>The default is null.</value>
    /// </summary>
    public Security.NorthguardClientSecurity? Security { get; set; }

    internal string? Validate() =>
        Endpoints is null || Endpoints.Count == 0 ? "Endpoints: at least one config-service endpoint (host:port) is required"
        : string.IsNullOrWhiteSpace(Document) ? "Document: a document name is required (e.g. 'prod/payments')"
        : string.IsNullOrWhiteSpace(CachePath) ? "CachePath: a file path for the last-known-good copy is required"
        : FetchTimeout <= TimeSpan.Zero || ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay ? "FetchTimeout and ReconnectDelay must be positive and MaxReconnectDelay at least ReconnectDelay"
        : null;
}
