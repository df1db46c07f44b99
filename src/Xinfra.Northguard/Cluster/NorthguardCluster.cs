using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Hosting;
using Xinfra.Northguard.Broker;

namespace Xinfra.Northguard.Cluster;

/// <summary>
/// N real brokers in this process on loopback ports chosen by the OS, each with its own data folder: the default
/// cluster for samples and integration tests. Brokers can be stopped and restarted on the same port and data.
/// Disposing stops every broker and deletes the temp folder it created.
/// </summary>
public sealed partial class NorthguardCluster : IAsyncDisposable
{
    private readonly NorthguardClusterOptions _options;
    private readonly string _root;
    private readonly bool _ownsRoot;
    private readonly Dictionary<ulong, NorthguardBroker?> _brokers = [];
    private readonly Dictionary<ulong, int> _ports = [];

    private NorthguardCluster(NorthguardClusterOptions options, string root, bool ownsRoot)
    {
        _options = options;
        _root = root;
        _ownsRoot = ownsRoot;
    }

    /// <summary>Starts the cluster; returns once every broker listens.</summary>
    public static async Task<NorthguardCluster> StartAsync(NorthguardClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new NorthguardClusterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Brokers, 1);
        var ownsRoot = options.DataRoot is null;
        var root = options.DataRoot ?? Directory.CreateTempSubdirectory("xinfra-northguard-").FullName;
        var cluster = new NorthguardCluster(options, root, ownsRoot);
        try
        {
            for (ulong id = 1; id <= (ulong)options.Brokers; id++)
            {
                await cluster.StartBrokerAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Starts a complete embedded cluster: every broker runs the Raft-backed metadata (vnodes over all brokers) and the
    /// data path. Point <c>Xinfra:Clusters:*:Bootstrap</c> at <see cref="Bootstrap"/> with <c>Kind: Northguard</c>.
    /// </summary>
    public static Task<NorthguardCluster> StartEmbeddedAsync(int brokers = 3, DataPathOptions? dataPath = null, string? dataRoot = null, CancellationToken cancellationToken = default) =>
        StartEmbeddedAsync(new NorthguardClusterOptions { Brokers = brokers, DataRoot = dataRoot }, dataPath, cancellationToken);

    /// <summary>
    /// Starts a complete embedded cluster with <paramref name="options"/> (broker count, data root, security, logs,
    /// clock); its <see cref="NorthguardClusterOptions.Modules"/> are replaced by the metadata and data path.
    /// </summary>
    public static async Task<NorthguardCluster> StartEmbeddedAsync(NorthguardClusterOptions options, DataPathOptions? dataPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = dataPath ?? DataPathOptions.Default;
        var cluster = await StartAsync(
            options with { Modules = MetadataModule.ForCluster(options.Brokers, others: _ => [new DataPathModule(path)]) },
            cancellationToken).ConfigureAwait(false);
        try
        {
            await cluster.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Waits until every broker sees every other broker live and a leader for every vnode, so the first metadata
    /// call does not race the first elections.
    /// </summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var ready = Brokers.All(b =>
            {
                var directory = (Metadata.Hosting.IBrokerDirectory?)b.Services.GetService(typeof(Metadata.Hosting.IBrokerDirectory));
                return directory is null || (directory.LiveBrokers.Count == Brokers.Count && directory.Vnodes.All(v => v.Leader != 0));
            });
            if (ready)
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _options.TimeProvider, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClusterUnavailableException($"The embedded Northguard cluster did not elect its metadata leaders within {timeout.TotalSeconds:0} s.");
            }
        }
    }

    /// <summary>The running brokers, by id.</summary>
    public IReadOnlyList<NorthguardBroker> Brokers => [.. _brokers.Values.OfType<NorthguardBroker>()];

    /// <summary>Comma-separated <c>host:port</c> of the running brokers, for <c>Xinfra:Clusters:*:Bootstrap</c>.</summary>
    public string Bootstrap => string.Join(',', Brokers.Select(b => new Uri(b.Endpoint).Authority));

    /// <summary>The folder holding every broker's data.</summary>
    public string DataRoot => _root;

    /// <summary>The running broker <paramref name="brokerId"/>.</summary>
    public NorthguardBroker Broker(ulong brokerId) =>
        _brokers.TryGetValue(brokerId, out var broker) && broker is not null ? broker : throw new InvalidOperationException($"Broker {brokerId} is not running.");

    /// <summary>Stops broker <paramref name="brokerId"/> (its data stays).</summary>
    public async Task StopBrokerAsync(ulong brokerId)
    {
        if (_brokers.TryGetValue(brokerId, out var broker) && broker is not null)
        {
            _brokers[brokerId] = null;
            await broker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts broker <paramref name="brokerId"/> again, on its old port and data.</summary>
    public Task<NorthguardBroker> RestartBrokerAsync(ulong brokerId, CancellationToken cancellationToken = default) =>
        StartBrokerAsync(brokerId, cancellationToken);

    private async Task<NorthguardBroker> StartBrokerAsync(ulong id, CancellationToken cancellationToken)
    {
        var options = new NorthguardBrokerOptions
        {
            BrokerId = id,
            Port = _ports.GetValueOrDefault(id),
            DataDirectory = Path.Combine(_root, $"broker-{id}"),
            Attributes = _options.Attributes(id),
            Security = _options.Security,
            MetricsPort = _options.MetricsPort,
        };
        var broker = await NorthguardBroker.StartAsync(options, _options.Modules(options), _options.LoggerFactory, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        _brokers[id] = broker;
        _ports[id] = new Uri(broker.Endpoint).Port;
        return broker;
    }

    /// <summary>Stops every broker and deletes the data folder if this cluster created it.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _brokers.Keys.ToArray())
        {
            await StopBrokerAsync(id).ConfigureAwait(false);
        }

        if (_ownsRoot && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
