using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Metadata.StateMachine;

/// <summary>The ACL and document sections of the snapshot.</summary>
public sealed partial class VnodeStateMachine
{
    private void WriteAclsAndDocuments(BinaryWriter w)
    {
        var topics = _acls.Keys.ToArray();
        Array.Sort(topics, StringComparer.Ordinal);
        w.Write(topics.Length);
        foreach (string topic in topics)
        {
            var principals = _acls[topic].Keys.ToArray();
            Array.Sort(principals, StringComparer.Ordinal);
            w.Write(topic);
            w.Write(principals.Length);
            foreach (string principal in principals)
            {
                w.Write(principal);
                w.Write((byte)_acls[topic][principal]);
            }
        }

        var keys = _documents.Keys.ToArray();
        Array.Sort(keys, StringComparer.Ordinal);
        w.Write(keys.Length);
        foreach (string key in keys)
        {
            var document = _documents[key];
            w.Write(key);
            w.Write(document.Version);
            w.Write(document.Content.Length);
            w.Write(document.Content.Span);
        }
    }

    private void ReadAclsAndDocuments(BinaryReader r)
    {
        int topics = r.ReadInt32();
        for (int i = 0; i < topics; i++)
        {
            string topic = r.ReadString();
            var byPrincipal = new Dictionary<string, AclOperations>(StringComparer.Ordinal);
            int principals = r.ReadInt32();
            for (int p = 0; p < principals; p++)
            {
                byPrincipal[r.ReadString()] = (AclOperations)r.ReadByte();
            }

            _acls[topic] = byPrincipal;
        }

        int documents = r.ReadInt32();
        for (int i = 0; i < documents; i++)
        {
            string key = r.ReadString();
            long version = r.ReadInt64();
            _documents[key] = new ConfigDocument(key, version, MetadataCommandCodec.ReadBytes(r));
        }
    }
}
