using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>ACLs per topic and config-service documents, held in the same replicated store.</summary>
public sealed partial class VnodeStateMachine
{
    /// <summary>The largest config document accepted, in bytes.</summary>
    public const int MaxDocumentBytes = 1 << 20;

    private readonly Dictionary<string, Dictionary<string, AclOperations>> _acls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConfigDocument> _documents = new(StringComparer.Ordinal);

    /// <summary>What <paramref name="principal"/> may do on <paramref name="topic"/>.</summary>
    public AclOperations GetAcl(string topic, string principal) =>
        _acls.TryGetValue(topic, out var byPrincipal) && byPrincipal.TryGetValue(principal, out var ops) ? ops : AclOperations.None;

    /// <summary>Looks a config document up.</summary>
    public bool TryGetDocument(string key, out ConfigDocument document) => _documents.TryGetValue(key, out document!);

    private MetadataResult SetAcl(SetAclCommand c)
    {
        if (!_topics.ContainsKey(c.Topic))
        {
            return MetadataResult.Fail(MetadataStatus.UnknownTopic, $"Topic '{c.Topic}' does not exist.");
        }

        if (string.IsNullOrEmpty(c.Principal) || (c.Operations & ~(AclOperations)0x0F) != 0)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, "An ACL needs a principal and known operations.");
        }

        if (!_acls.TryGetValue(c.Topic, out var byPrincipal))
        {
            _acls[c.Topic] = byPrincipal = new Dictionary<string, AclOperations>(StringComparer.Ordinal);
        }

        if (c.Operations == AclOperations.None)
        {
            byPrincipal.Remove(c.Principal);
        }
        else
        {
            byPrincipal[c.Principal] = c.Operations;
        }

        return Ok([]);
    }

    private MetadataResult PutDocument(PutDocumentCommand c)
    {
        if (string.IsNullOrEmpty(c.Key) || c.Content.Length > MaxDocumentBytes || c.ExpectedVersion < -1)
        {
            return MetadataResult.Fail(MetadataStatus.Invalid, $"A document needs a key and at most {MaxDocumentBytes} bytes.");
        }

        long current = _documents.TryGetValue(c.Key, out var existing) ? existing.Version : 0;
        if (c.ExpectedVersion != -1 && c.ExpectedVersion != current)
        {
            return MetadataResult.Fail(MetadataStatus.VersionMismatch, $"Document '{c.Key}' is at version {current}, not {c.ExpectedVersion}.");
        }

        _documents[c.Key] = new ConfigDocument(c.Key, current + 1, c.Content.ToArray());
        return Ok([]) with { Version = current + 1 };
    }
}
