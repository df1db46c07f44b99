using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Security;
using Data = Xinfra.Northguard.Protocol;
using Meta = Xinfra.Northguard.Protocol.Metadata;

namespace Xinfra.Northguard.Tests.Security;

public sealed class AccessRulesTests
{
    private static readonly SecurityPrincipal App = new("app", PrincipalKind.Application, false);

    [Theory]
    [InlineData(AclOperations.Produce, true)]
    [InlineData(AclOperations.Consume, false)]
    [InlineData(AclOperations.Describe | AclOperations.Admin, false)]
    public void Produce_NeedsTheProduceOperation(AclOperations granted, bool allowed)
    {
        var requirement = AccessRules.For("/xinfra.northguard.v1.Northguard/Produce", new Data.ProduceRequest { Open = new Data.ProduceOpen { Topic = "t" } });

        Assert.Equal(AccessRequirement.On("t", AclOperations.Produce), requirement);
        Assert.Equal(allowed, AccessRules.Allows(App, requirement, granted));
    }

    [Fact]
    public void Route_AnyGrantOnTheTopicAllowsDescribe_NoGrantDoesNot()
    {
        var requirement = AccessRules.For("/xinfra.northguard.v1.Northguard/GetRoute", new Data.RouteRequest { Topic = "t" });

        Assert.True(AccessRules.Allows(App, requirement, AclOperations.Consume));
        Assert.False(AccessRules.Allows(App, requirement, AclOperations.None));
    }

    [Fact]
    public void InternalCalls_OnlyTheClusterPrincipal()
    {
        var replicate = AccessRules.For("/xinfra.northguard.v1.Northguard/Replicate", new Data.ReplicateRequest());
        var raft = AccessRules.For("/xinfra.northguard.raft.v1.RaftTransport/Send", new Protocol.Raft.RaftBatch());
        var tokens = AccessRules.For("/x/GetDocument", new Meta.GetDocumentRequest { Key = "__ng.security/tokens" });
        var admin = new SecurityPrincipal("ops", PrincipalKind.Application, ClusterAdmin: true);

        Assert.All([replicate, raft, tokens], r => Assert.Equal(AccessKind.Internal, r.Kind));
        Assert.False(AccessRules.Allows(admin, replicate, AclOperations.None));
        Assert.True(AccessRules.Allows(SecurityPrincipal.Cluster, tokens, AclOperations.None));
    }

    [Fact]
    public void CreateTopicAndUnknownMethods_NeedAClusterAdmin()
    {
        var create = AccessRules.For("/xinfra.northguard.metadata.v1.Metadata/CreateTopic", new Meta.CreateTopicRequest { Name = "t" });
        var unknown = AccessRules.For("/some.future.Service/Call", new Data.RouteResponse());

        Assert.Equal(AccessKind.ClusterAdmin, create.Kind);
        Assert.Equal(AccessKind.ClusterAdmin, unknown.Kind);
        Assert.False(AccessRules.Allows(App, create, AclOperations.Produce | AclOperations.Admin));
    }

    [Fact]
    public void ConfigDocuments_AnyApplicationReads_OnlyAClusterAdminPublishes()
    {
        var get = AccessRules.For("/xinfra.config.v1.ConfigService/Get", new Protocol.Config.GetConfigRequest());
        var watch = AccessRules.For("/xinfra.config.v1.ConfigService/Watch", new Protocol.Config.WatchConfigRequest());
        var put = AccessRules.For("/xinfra.config.v1.ConfigService/Put", new Protocol.Config.PutConfigRequest());

        Assert.True(AccessRules.Allows(App, get, AclOperations.None));
        Assert.True(AccessRules.Allows(App, watch, AclOperations.None));
        Assert.False(AccessRules.Allows(App, put, AclOperations.Admin));
        Assert.True(AccessRules.Allows(new SecurityPrincipal("ops", PrincipalKind.Application, ClusterAdmin: true), put, AclOperations.None));
    }
}

public sealed class TokenFormatTests
{
    [Fact]
    public void Create_StoresOnlyASaltedHash_ThatMatchesTheSecretAndNothingElse()
    {
        var (id, token, salt, hash) = TokenFormat.Create();
        var record = new TokenRecord(id, "app", salt, hash, DateTimeOffset.UnixEpoch, null, false);

        Assert.True(TokenFormat.TryParse(token, out var parsedId, out var secret));
        Assert.Equal(id, parsedId);
        Assert.True(TokenFormat.Matches(record, secret));
        secret[0] ^= 1;
        Assert.False(TokenFormat.Matches(record, secret));
        Assert.DoesNotContain(Convert.ToBase64String(hash), token, StringComparison.Ordinal);
        Assert.NotEqual(TokenFormat.Create().Salt, salt);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer x")]
    [InlineData("ngt.short.AAAA")]
    [InlineData("ngt.0123456789abcdef.not*base64")]
    [InlineData("ngt.0123456789abcdef.AAAA")]
    public void TryParse_MalformedTokens_False(string token) => Assert.False(TokenFormat.TryParse(token, out _, out _));
}
