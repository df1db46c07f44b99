using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xinfra.Monitoring;
using Xinfra.Transport;

namespace Xinfra.Routing;

/// <summary>
/// One shared transport per configured cluster, created on first use. When a cluster's settings change, new
/// producers and consumers get a new transport; the old one is disposed with the registry, so clients that still
/// hold it finish their work.
/// </summary>
public sealed class TransportRegistry : IAsyncDisposable
{
    private readonly XinfraConfigurationMonitor _configuration;
    private readonly Dictionary<ClusterKind, ITransportFactory> _factories;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, (string Fingerprint, ITransport Transport)> _current = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<ITransport> _retired = [];
    private readonly ConcurrentDictionary<(ITransport, string), Lazy<Task>> _ensured = new();
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates the registry.</summary>
    public TransportRegistry(
        XinfraConfigurationMonitor configuration,
        IEnumerable<ITransportFactory> factories,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(factories);
        _configuration = configuration;
        _factories = factories.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => g.Last());
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
    }

    /// <summary>The transport of <paramref name="cluster"/> under the current configuration.</summary>
    public ITransport Get(string cluster)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var options = _configuration.Current.Options;
        if (!options.Clusters.TryGetValue(cluster, out var clusterOptions))
        {
            throw new XinfraConfigurationException($"Cluster '{cluster}' is not defined under {XinfraOptions.SectionName}:Clusters.") { Cluster = cluster };
        }

        var fingerprint = Fingerprint(clusterOptions, options);
        if (_current.TryGetValue(cluster, out var entry) && entry.Fingerprint == fingerprint)
        {
            return entry.Transport;
        }

        lock (_lock)
        {
            if (_current.TryGetValue(cluster, out entry) && entry.Fingerprint == fingerprint)
            {
                return entry.Transport;
            }

            var security = clusterOptions.SecurityProfile is { } p ? options.SecurityProfiles[p] : null;
            var context = new TransportContext(cluster, clusterOptions, security, options.ApplicationId, _loggerFactory, _timeProvider);
            var transport = _factories[clusterOptions.Kind].Create(context);
            if (entry.Transport is not null)
            {
                _retired.Add(entry.Transport);
                Log.TransportReplaced(_loggerFactory.CreateLogger<TransportRegistry>(), cluster);
            }

            _current[cluster] = (fingerprint, transport);
            Log.TransportCreated(_loggerFactory.CreateLogger<TransportRegistry>(), cluster, clusterOptions.Kind);
            return transport;
        }
    }

    /// <summary>
    /// Whether <paramref name="transport"/> is still the transport of <paramref name="cluster"/> under the current
    /// configuration (false once the cluster's bootstrap, security or settings changed). Long-lived readers check this
    /// after a configuration change and move to <see cref="Get"/>'s new transport.
    /// </summary>
    public bool IsCurrent(string cluster, ITransport transport)
    {
        var options = _configuration.Current.Options;
        if (!options.Clusters.TryGetValue(cluster, out var clusterOptions))
        {
            // The route will fail on its own; do not churn the reader.
            return true;
        }

        return _current.TryGetValue(cluster, out var entry)
            && ReferenceEquals(entry.Transport, transport)
            && entry.Fingerprint == Fingerprint(clusterOptions, options);
    }

    /// <summary>Creates <paramref name="topic"/> on <paramref name="transport"/> once (when the route allows auto-creation).</summary>
    public Task EnsureTopicAsync(ITransport transport, PhysicalTopic topic, CancellationToken cancellationToken)
    {
        var lazy = _ensured.GetOrAdd((transport, topic.Name), _ => new Lazy<Task>(() => transport.EnsureTopicAsync(topic, CancellationToken.None).AsTask()));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _ensured.TryRemove(new KeyValuePair<(ITransport, string), Lazy<Task>>((transport, topic.Name), lazy));
        }

        return task.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (_, entry) in _current)
        {
            await entry.Transport.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var transport in _retired)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Fingerprint(ClusterOptions cluster, XinfraOptions options)
    {
        var security = cluster.SecurityProfile is { } p && options.SecurityProfiles.TryGetValue(p, out var profile)
            ? $"{profile.Tls}|{profile.CaCertificateFile}|{profile.ClientCertificateFile}|{profile.SaslMechanism}|{profile.Username}|{profile.Password?.GetHashCode(StringComparison.Ordinal)}|{profile.TokenFile}"
            : "-";
        var settings = string.Join(";", cluster.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
        return $"{cluster.Kind}|{cluster.Bootstrap}|{cluster.MaxRecordBytes}|{security}|{settings}";
    }
}
