using System.Collections.Concurrent;

namespace Xinfra.InMemory;

/// <summary>
/// The in-process clusters of one application (one per DI container): every in-memory transport whose bootstrap
/// names the same cluster shares its topics and consumer groups.
/// </summary>
public sealed class InMemoryClusters
{
    private readonly ConcurrentDictionary<string, InMemoryCluster> _clusters = new(StringComparer.Ordinal);

    /// <summary>The cluster named <paramref name="bootstrap"/>, created empty on first use.</summary>
    public InMemoryCluster Get(string bootstrap)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootstrap);
        return _clusters.GetOrAdd(bootstrap, static name => new InMemoryCluster(name));
    }
}
