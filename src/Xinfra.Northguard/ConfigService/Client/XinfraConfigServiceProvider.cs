using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Monitoring;
using Xinfra.Northguard.Protocol.Config;
using ProtocolClient = Xinfra.Northguard.Protocol.Config.ConfigService.ConfigServiceClient;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>
/// A configuration provider over one config-service document. At <see cref="Load"/> it fetches the document (bounded
/// by <see cref="XinfraConfigServiceOptions.FetchTimeout"/>) or, when the service is unreachable, starts from the
/// on-disk last-known-good copy; then it watches the document and raises the reload token on every valid new version,
/// so <c>XinfraConfigurationMonitor</c> validates and applies it live. A document that fails validation is logged,
/// counted (<c>xinfra.config.rejected</c>), kept in <see cref="XinfraConfigServiceState.LastRejection"/> and neither
/// applied nor cached.
/// </summary>
public sealed partial class XinfraConfigServiceProvider : ConfigurationProvider, IDisposable
{
    private readonly XinfraConfigServiceOptions _options;
    private readonly string[] _endpoints;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly Security.ChannelSecurity _security;
    private readonly Lock _lock = new();
    private Task? _watch;
    private bool _loaded;
    private bool _disposed;
    private long _version;
    private ConfigSourceKind _source;
    private DateTimeOffset? _confirmed;
    private bool _connected;

    /// <summary>A watch stream silent this long does not count as connected (three missed one-second heartbeats).</summary>
    internal static readonly TimeSpan SilentStream = TimeSpan.FromSeconds(3);
    private string? _lastRejection;
    private string? _lastError;

    /// <summary>Creates the provider; <see cref="Load"/> does the first fetch.</summary>
    public XinfraConfigServiceProvider(XinfraConfigServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException($"AddXinfraConfigService: {error}.", nameof(options));
        }

        XinfraConfigDocument.CheckName(options.Document);
        _options = options;
        _security = Security.ChannelSecurity.ForClient(options.Security);
        _endpoints = [.. options.Endpoints.Select(_security.Address)];
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<XinfraConfigServiceProvider>();
        _time = options.TimeProvider;
        _random = new Random(options.Seed);
        ConfigServiceMetrics.Add(this);
    }

    /// <summary>The document name.</summary>
    public string DocumentName => _options.Document;

    /// <summary>The provider's current state: version, source, age, connection, last rejection and error.</summary>
    public XinfraConfigServiceState State
    {
        get
        {
            lock (_lock)
            {
                var age = _confirmed is { } at ? _time.GetUtcNow() - at : (TimeSpan?)null;

                // An open stream that has said nothing for three heartbeats (the service confirms every second) is not
                // a connection worth the name: a stopping broker can hold it open while its store no longer answers.
                bool live = _connected && age is { } confirmedAgo && confirmedAgo < SilentStream;
                return new XinfraConfigServiceState(_options.Document, _version, _source, _confirmed, age is { } a && a < TimeSpan.Zero ? TimeSpan.Zero : age, live, _lastRejection, _lastError);
            }
        }
    }

    /// <summary>
    /// Fetches the document (or reads the cache) the first time; later calls (a root <c>Reload()</c>) keep what the
    /// watch applied. Throws <see cref="XinfraConfigurationException"/> when neither the service nor the cache can
    /// supply a valid document.
    /// </summary>
    public override void Load()
    {
        if (_loaded)
        {
            return;
        }

        _loaded = true;
        var fetchProblem = Task.Run(FetchAtStartAsync).GetAwaiter().GetResult();
        if (fetchProblem is not null)
        {
            ConfigServiceLog.StartingFromCache(_logger, _options.Document, fetchProblem);
            if (LoadCache() is { } cacheProblem)
            {
                // The root that called Load never gets built, so nothing else would release this provider.
                Dispose();
                throw new XinfraConfigurationException(
                    $"Config document '{_options.Document}' is not available: the config service at {string.Join(", ", _options.Endpoints)} failed ({fetchProblem}) and the cache {_options.CachePath} is not usable ({cacheProblem}).");
            }
        }

        _watch = Task.Run(() => WatchAsync(_stop.Token));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        try
        {
            _watch?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The watch ends with the cancellation; its failures were logged.
        }

        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _security.Dispose();

        ConfigServiceMetrics.Remove(this);
        _stop.Dispose();
    }

    /// <summary>Returns null when a valid document was fetched and applied, or the reason it was not.</summary>
    private async Task<string?> FetchAtStartAsync()
    {
        using var timeout = new CancellationTokenSource(_options.FetchTimeout, _time);
        var problems = new List<string>();
        foreach (var endpoint in _endpoints)
        {
            try
            {
                var message = await Client(endpoint).GetAsync(new GetConfigRequest { Name = _options.Document }, cancellationToken: timeout.Token).ConfigureAwait(false);
                return Accept(message, raiseReload: false) ? null : $"{endpoint}: {_lastRejection ?? _lastError}";
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return $"{endpoint}: {ex.Status.Detail}";
            }
            catch (Exception ex) when ((ex is OperationCanceledException or RpcException) && timeout.IsCancellationRequested)
            {
                problems.Add($"{endpoint}: no answer within {_options.FetchTimeout.TotalSeconds:0.#} s");
                break;
            }
            catch (RpcException ex)
            {
                problems.Add($"{endpoint}: {ex.StatusCode} {ex.Status.Detail}");
            }
        }

        var reason = string.Join("; ", problems);
        SetError(reason);
        return reason;
    }

    private string? LoadCache()
    {
        CachedDocument? cached;
        try
        {
            cached = ConfigCache.Read(_options.CachePath, _options.Document);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            ConfigServiceLog.CacheUnusable(_logger, _options.CachePath, ex.Message);
            SetError($"cache {_options.CachePath}: {ex.Message}");
            return ex.Message;
        }

        if (cached is null)
        {
            return "there is no cache file";
        }

        var errors = XinfraConfigDocument.Validate(cached.Content, _options.RegisteredKinds);
        if (errors.Count > 0)
        {
            var reason = "the cached document does not validate: " + string.Join("; ", errors);
            ConfigServiceLog.CacheUnusable(_logger, _options.CachePath, reason);
            return reason;
        }

        var data = XinfraConfigDocument.Flatten(cached.Content, _options.SectionName);
        lock (_lock)
        {
            Data = data;
            _version = cached.Version;
            _source = ConfigSourceKind.Cache;
            _confirmed = cached.FetchedAt;
        }

        ConfigServiceLog.Applied(_logger, _options.Document, cached.Version, ConfigSourceKind.Cache);
        return null;
    }

    /// <summary>Applies a fetched or pushed document (or a heartbeat); true when the service's version is now in force.</summary>
    private bool Accept(ConfigDocumentMessage message, bool raiseReload)
    {
        if (message.Unchanged)
        {
            lock (_lock)
            {
                if (message.Version != _version)
                {
                    return false;
                }

                _confirmed = _time.GetUtcNow();
                _source = ConfigSourceKind.Service;
                return true;
            }
        }

        if (!string.Equals(XinfraConfigDocument.Checksum(message.Content), message.Checksum, StringComparison.Ordinal))
        {
            SetError($"document '{message.Name}' version {message.Version} failed its checksum in transit; ignored");
            return false;
        }

        var errors = XinfraConfigDocument.Validate(message.Content, _options.RegisteredKinds);
        if (errors.Count > 0)
        {
            var text = string.Join(Environment.NewLine, errors.Select(e => "  - " + e));
            long kept;
            lock (_lock)
            {
                kept = _version;
                _lastRejection = $"Config document '{message.Name}' version {message.Version} is invalid; keeping version {kept}:{Environment.NewLine}{text}";
            }

            ClientMetrics.ConfigRejected.Add(1);
            ConfigServiceLog.Rejected(_logger, message.Name, message.Version, kept, text);
            return false;
        }

        var now = _time.GetUtcNow();
        var data = XinfraConfigDocument.Flatten(message.Content, _options.SectionName);
        try
        {
            ConfigCache.Write(_options.CachePath, new CachedDocument(_options.Document, message.Version, now, message.Content));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ConfigServiceLog.CacheWriteFailed(_logger, _options.CachePath, ex.Message);
            SetError($"cache {_options.CachePath}: {ex.Message}");
        }

        lock (_lock)
        {
            Data = data;
            _version = message.Version;
            _source = ConfigSourceKind.Service;
            _confirmed = now;
            _lastRejection = null;
        }

        ConfigServiceLog.Applied(_logger, _options.Document, message.Version, ConfigSourceKind.Service);
        if (raiseReload)
        {
            OnReload();
        }

        return true;
    }

    private void SetError(string error)
    {
        lock (_lock)
        {
            _lastError = error;
        }
    }

    private ProtocolClient Client(string endpoint) =>
        new(_channels.GetOrAdd(endpoint, e => _security.CreateChannel(e, maxReceiveMessageSize: 16 << 20)));
}
