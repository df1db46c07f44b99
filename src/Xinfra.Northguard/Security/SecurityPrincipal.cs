namespace Xinfra.Northguard.Security;

/// <summary>Who made a call: a broker (the cluster token), an application (its token) or a client certificate subject.</summary>
/// <param name="Name">The ACL principal: the application name or the certificate subject.</param>
/// <param name="Kind">How it authenticated.</param>
/// <param name="ClusterAdmin">May create topics and manage tokens.</param>
internal sealed record SecurityPrincipal(string Name, PrincipalKind Kind, bool ClusterAdmin)
{
    public static SecurityPrincipal Cluster { get; } = new("cluster", PrincipalKind.Cluster, true);
}

/// <summary>How a principal authenticated.</summary>
internal enum PrincipalKind
{
    Cluster,
    Application,
    Certificate,
}

/// <summary>What a call needs.</summary>
internal enum AccessKind
{
    /// <summary>Any authenticated principal.</summary>
    Authenticated,

    /// <summary>Only brokers (the cluster token).</summary>
    Internal,

    /// <summary>Brokers and cluster-admin tokens.</summary>
    ClusterAdmin,

    /// <summary>An ACL on a topic.</summary>
    Topic,
}

/// <summary>What a call needs: a kind and, for <see cref="AccessKind.Topic"/>, the topic and operation.</summary>
internal readonly record struct AccessRequirement(AccessKind Kind, string? Topic = null, Metadata.Model.AclOperations Operation = Metadata.Model.AclOperations.None)
{
    public static AccessRequirement Authenticated => new(AccessKind.Authenticated);

    public static AccessRequirement Internal => new(AccessKind.Internal);

    public static AccessRequirement ClusterAdmin => new(AccessKind.ClusterAdmin);

    public static AccessRequirement On(string topic, Metadata.Model.AclOperations operation) => new(AccessKind.Topic, topic, operation);
}
