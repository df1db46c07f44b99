using Xinfra.Northguard.Metadata.Model;
using Data = Xinfra.Northguard.Protocol;
using Meta = Xinfra.Northguard.Protocol.Metadata;
using Sec = Xinfra.Northguard.Protocol.Security;

namespace Xinfra.Northguard.Security;

/// <summary>
/// What each gRPC method needs. Topic calls need an ACL operation on the topic; calls only brokers make (replication,
/// Raft, segment open/seal, internal documents) need the cluster token; creating topics, range surgery and token
/// management need a cluster admin. A method not listed here needs a cluster admin (deny by default).
/// </summary>
internal static class AccessRules
{
    public static AccessRequirement For(string method, object? request)
    {
        int slash = method.LastIndexOf('/');
        string name = slash < 0 ? method : method[(slash + 1)..];
        return request switch
        {
            Data.RouteRequest r => AccessRequirement.On(r.Topic, AclOperations.Describe),
            Data.ProduceRequest { KindCase: Data.ProduceRequest.KindOneofCase.Open } r => AccessRequirement.On(r.Open.Topic, AclOperations.Produce),
            Data.ConsumeRequest { KindCase: Data.ConsumeRequest.KindOneofCase.Start } r => AccessRequirement.On(r.Start.Topic, AclOperations.Consume),
            Data.SplitRangeRequest r => AccessRequirement.On(r.Topic, AclOperations.Admin),
            Data.MergeRangesRequest r => AccessRequirement.On(r.Topic, AclOperations.Admin),
            Data.CommitPositionRequest r => AccessRequirement.On(r.Topic, AclOperations.Consume),
            Data.FetchPositionRequest r => AccessRequirement.On(r.Topic, AclOperations.Consume),
            Data.JoinGroupRequest r => AccessRequirement.On(r.Topic, AclOperations.Consume),
            Data.HeartbeatRequest r => AccessRequirement.On(r.Topic, AclOperations.Consume),
            Data.LeaveGroupRequest r => AccessRequirement.On(r.Topic, AclOperations.Consume),
            Data.DescribeGroupRequest r => AccessRequirement.On(r.Topic, AclOperations.Describe),
            Data.DescribeBrokerRequest or Data.DescribeStorageRequest => AccessRequirement.Authenticated,

            // Every application reads its configuration document; publishing one is the platform team's (cluster admin).
            Protocol.Config.GetConfigRequest or Protocol.Config.WatchConfigRequest => AccessRequirement.Authenticated,
            Meta.CreateTopicRequest => AccessRequirement.ClusterAdmin,
            Meta.TopicRequest r => AccessRequirement.On(r.Name, name == "DescribeTopic" ? AclOperations.Describe : AclOperations.Admin),
            Meta.AclRequest r => AccessRequirement.On(r.Topic, AclOperations.Admin),
            Meta.SplitRangeRequest or Meta.MergeRangesRequest or Meta.ListUnderReplicatedRequest => AccessRequirement.ClusterAdmin,
            Meta.PutDocumentRequest r => IsInternalDocument(r.Key) ? AccessRequirement.Internal : AccessRequirement.ClusterAdmin,
            Meta.GetDocumentRequest r => IsInternalDocument(r.Key) ? AccessRequirement.Internal : AccessRequirement.Authenticated,
            Meta.Empty when name is "ListBrokers" or "DescribeVnodes" => AccessRequirement.Authenticated,
            Sec.IssueTokenRequest or Sec.ListTokensRequest or Sec.RevokeTokenRequest => AccessRequirement.ClusterAdmin,
            Sec.SetAclRequest r => AccessRequirement.On(r.Topic, AclOperations.Admin),
            Sec.GetAclRequest r => AccessRequirement.On(r.Topic, AclOperations.Admin),
            Sec.ListAclsRequest r => AccessRequirement.On(r.Topic, AclOperations.Admin),
            Data.ReplicateRequest or Data.ReplicaStateRequest or Meta.OpenSegmentRequest or Meta.SealSegmentRequest or Meta.ReplaceReplicaRequest
                or Protocol.Raft.RaftBatch => AccessRequirement.Internal,
            _ => AccessRequirement.ClusterAdmin,
        };
    }

    /// <summary>True when <paramref name="principal"/> meets <paramref name="requirement"/> given its ACL <paramref name="granted"/>.</summary>
    public static bool Allows(SecurityPrincipal principal, AccessRequirement requirement, AclOperations granted) => requirement.Kind switch
    {
        _ when principal.Kind == PrincipalKind.Cluster => true,
        AccessKind.Authenticated => true,
        AccessKind.Internal => false,
        AccessKind.ClusterAdmin => principal.ClusterAdmin,
        _ when principal.ClusterAdmin => true,

        // Describe (routes, topic metadata) comes with any grant on the topic: producers and consumers need routes.
        _ when requirement.Operation == AclOperations.Describe => granted != AclOperations.None,
        _ => (granted & requirement.Operation) == requirement.Operation,
    };

    /// <summary>Documents under <c>__ng.</c> (tokens, ACL index, group positions) are broker-internal.</summary>
    public static bool IsInternalDocument(string key) => key.StartsWith("__ng.", StringComparison.Ordinal);
}
