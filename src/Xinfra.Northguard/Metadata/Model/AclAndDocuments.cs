namespace Xinfra.Northguard.Metadata.Model;

/// <summary>What a principal may do on a topic.</summary>
[Flags]
public enum AclOperations : byte
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Append records.</summary>
    Produce = 1,

    /// <summary>Read records.</summary>
    Consume = 2,

    /// <summary>Read the topic's metadata.</summary>
    Describe = 4,

    /// <summary>Change or delete the topic, its ranges and ACLs.</summary>
    Admin = 8,
}

/// <summary>A config-service document: opaque bytes with a version that grows by one on every write.</summary>
/// <param name="Key">The document key.</param>
/// <param name="Version">1 for the first write.</param>
/// <param name="Content">The document bytes (JSON by convention).</param>
public sealed record ConfigDocument(string Key, long Version, ReadOnlyMemory<byte> Content);
