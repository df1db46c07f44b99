using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Metadata.Model;

/// <summary>One ACL entry: what <paramref name="Principal"/> may do on <paramref name="Topic"/>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Principal">The principal.</param>
/// <param name="Operations">The operations granted.</param>
public sealed record AclEntry(string Topic, string Principal, AclOperations Operations);

/// <summary>
/// The content of some vnodes (all of them when returned by the metadata client): topics with ranges and segments,
/// ACLs and config documents (which include consumer group positions, <c>__ng.positions/…</c>).
/// </summary>
/// <param name="Vnodes">The vnodes covered.</param>
/// <param name="Topics">Their topics.</param>
/// <param name="Acls">Their ACL entries.</param>
/// <param name="Documents">Their documents.</param>
public sealed record MetadataExport(IReadOnlyList<int> Vnodes, IReadOnlyList<TopicDescription> Topics, IReadOnlyList<AclEntry> Acls, IReadOnlyList<ConfigDocument> Documents);
