using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>Enumerates the whole state of the vnode, for backups and listings.</summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>Every topic with its ranges and segments, by name.</summary>
    public IEnumerable<TopicDescription> DescribeAll()
    {
        foreach (var name in _topics.Keys.Order(StringComparer.Ordinal))
        {
            yield return Describe(name)!;
        }
    }

    /// <summary>Every ACL entry, by topic then principal.</summary>
    public IEnumerable<AclEntry> AclEntries()
    {
        foreach (var (topic, byPrincipal) in _acls.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            foreach (var (principal, operations) in byPrincipal.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                yield return new AclEntry(topic, principal, operations);
            }
        }
    }

    /// <summary>Every config document, by key.</summary>
    public IEnumerable<ConfigDocument> AllDocuments() => _documents.Values.OrderBy(d => d.Key, StringComparer.Ordinal);
}
