using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Client;

/// <summary>Whole-cluster reads: every vnode's topics, ACLs and documents.</summary>
public sealed partial class NorthguardMetadataClient
{
    /// <summary>
    /// Every topic (with ranges and segments), ACL entry and config document of the cluster: asks every live broker
    /// for the vnodes it leads and merges the answers, retrying (within <see cref="NorthguardMetadataClientOptions.Timeout"/>)
    /// until every vnode was answered; otherwise <see cref="MetadataUnavailableException"/> naming the missing vnodes.
    /// Each vnode is read from its leader's applied state; the vnodes are not read at one instant.
    /// </summary>
    public async ValueTask<MetadataExport> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var ring = await GetRingAsync(linked.Token).ConfigureAwait(false);
        var covered = new Dictionary<int, MetadataExport>();
        while (true)
        {
            var brokers = await ListBrokersAsync(linked.Token).ConfigureAwait(false);
            foreach (var broker in brokers.Where(b => b.IsLive && b.Port != 0))
            {
                try
                {
                    var part = await Connection($"{_security.Scheme}://{broker.Host}:{broker.Port}").ExportVnodesAsync(linked.Token).ConfigureAwait(false);
                    foreach (int vnode in part.Vnodes)
                    {
                        covered.TryAdd(vnode, part);
                    }
                }
                catch (MetadataUnavailableException) when (!linked.IsCancellationRequested)
                {
                    // Skipped; its vnodes get a new leader or the broker answers on the next round.
                }
            }

            var missing = Enumerable.Range(0, ring.Count).Where(v => !covered.ContainsKey(v)).ToList();
            if (missing.Count == 0)
            {
                return Merge(covered);
            }

            try
            {
                await Task.Delay(_options.RetryDelay, _options.TimeProvider, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new MetadataUnavailableException($"No leader answered for vnodes {string.Join(", ", missing)} within {_options.Timeout.TotalSeconds:0} s; the export is incomplete.");
            }
        }
    }

    /// <summary>Every topic of the cluster, by name.</summary>
    public async ValueTask<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken = default) =>
        (await ExportAsync(cancellationToken).ConfigureAwait(false)).Topics;

    private static MetadataExport Merge(Dictionary<int, MetadataExport> covered)
    {
        var topics = new List<TopicDescription>();
        var acls = new List<AclEntry>();
        var documents = new List<ConfigDocument>();
        foreach (var part in covered.Values.Distinct())
        {
            topics.AddRange(part.Topics);
            acls.AddRange(part.Acls);
            documents.AddRange(part.Documents);
        }

        return new MetadataExport(
            [.. covered.Keys.Order()],
            [.. topics.DistinctBy(t => t.Topic.Name).OrderBy(t => t.Topic.Name, StringComparer.Ordinal)],
            [.. acls.Distinct().OrderBy(a => a.Topic, StringComparer.Ordinal).ThenBy(a => a.Principal, StringComparer.Ordinal)],
            [.. documents.DistinctBy(d => d.Key).OrderBy(d => d.Key, StringComparer.Ordinal)]);
    }
}
