using System.Text;
using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.Metadata;

public sealed class AclAndDocumentTests
{
    [Fact]
    public void Acl_SetRevokeAndDeleteWithTopic()
    {
        var sm = new VnodeStateMachine(0);
        Assert.Equal(MetadataStatus.UnknownTopic, sm.Apply(new SetAclCommand("t", "app", AclOperations.Produce)).Status);
        sm.Apply(new CreateTopicCommand("t", StoragePolicy.Default, 1));
        Assert.True(sm.Apply(new SetAclCommand("t", "app", AclOperations.Produce | AclOperations.Describe)).IsOk);
        Assert.Equal(AclOperations.Produce | AclOperations.Describe, sm.GetAcl("t", "app"));
        Assert.Equal(AclOperations.None, sm.GetAcl("t", "other"));
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new SetAclCommand("t", "app", (AclOperations)0x80)).Status);
        Assert.True(sm.Apply(new SetAclCommand("t", "app", AclOperations.None)).IsOk);
        Assert.Equal(AclOperations.None, sm.GetAcl("t", "app"));
        sm.Apply(new SetAclCommand("t", "app", AclOperations.Consume));
        sm.Apply(new DeleteTopicCommand("t"));
        sm.Apply(new CreateTopicCommand("t", StoragePolicy.Default, 1));
        Assert.Equal(AclOperations.None, sm.GetAcl("t", "app"));
    }

    [Fact]
    public void Document_ConditionalWrites_VersionsGrowByOne()
    {
        var sm = new VnodeStateMachine(0);
        Assert.Equal(1, sm.Apply(new PutDocumentCommand("clusters/a", "{}"u8.ToArray(), 0)).Version);
        Assert.Equal(MetadataStatus.VersionMismatch, sm.Apply(new PutDocumentCommand("clusters/a", "{}"u8.ToArray(), 0)).Status);
        Assert.Equal(2, sm.Apply(new PutDocumentCommand("clusters/a", "{\"x\":1}"u8.ToArray(), 1)).Version);
        Assert.Equal(3, sm.Apply(new PutDocumentCommand("clusters/a", "{}"u8.ToArray(), -1)).Version);
        Assert.True(sm.TryGetDocument("clusters/a", out var doc));
        Assert.Equal(3, doc.Version);
        Assert.Equal(MetadataStatus.Invalid, sm.Apply(new PutDocumentCommand("big", new byte[VnodeStateMachine.MaxDocumentBytes + 1], -1)).Status);
    }

    [Fact]
    public void Snapshot_IncludesAclsAndDocuments()
    {
        var sm = new VnodeStateMachine(2);
        sm.Apply(new CreateTopicCommand("t", StoragePolicy.Default, 1));
        sm.Apply(new SetAclCommand("t", "app", AclOperations.Admin));
        sm.Apply(new PutDocumentCommand("k", "v"u8.ToArray(), 0));
        var copy = new VnodeStateMachine(2);
        copy.Restore(sm.CreateSnapshot());
        Assert.Equal(AclOperations.Admin, copy.GetAcl("t", "app"));
        Assert.True(copy.TryGetDocument("k", out var doc));
        Assert.Equal("v", Encoding.UTF8.GetString(doc.Content.Span));
        Assert.Equal(sm.CreateSnapshot(), copy.CreateSnapshot());

        foreach (var command in new MetadataCommand[] { new SetAclCommand("t", "p", AclOperations.Consume), new PutDocumentCommand("k", new byte[] { 1, 2 }, 7) })
        {
            var decoded = MetadataCommandCodec.Decode(MetadataCommandCodec.Encode(command));
            Assert.Equal(MetadataCommandCodec.Encode(command), MetadataCommandCodec.Encode(decoded));
        }
    }

    [Fact]
    public async Task Service_DocumentsAndAclsThroughRaft_SurviveLeaderFailover()
    {
        using var cluster = new MetadataCluster(3, vnodes: 2, seed: 4);
        Assert.True(cluster.PumpUntil(() => cluster.LeaderOf(0) != 0 && cluster.LeaderOf(1) != 0));
        const string key = "xinfra/clusters/east";
        int vnode = cluster.Ring.VnodeForTopic(key);
        ulong leader = cluster.LeaderOf(vnode);
        Assert.Equal(1, await cluster.Call(leader, s => s.PutDocumentAsync(key, "{\"v\":1}"u8.ToArray(), 0)));
        await Assert.ThrowsAsync<DocumentVersionMismatchException>(() => cluster.Call(leader, s => s.PutDocumentAsync(key, "{}"u8.ToArray(), 0)));

        cluster.Brokers[leader].Crash();
        Assert.True(cluster.PumpUntil(() => cluster.LeaderOf(vnode) is not 0 and var l && l != leader));
        ulong next = cluster.LeaderOf(vnode);
        var doc = await cluster.Call(next, s => s.GetDocumentAsync(key));
        Assert.Equal(1, doc!.Version);
        Assert.Equal(2, await cluster.Call(next, s => s.PutDocumentAsync(key, "{\"v\":2}"u8.ToArray(), 1)));
        string absent = Enumerable.Range(0, 100).Select(i => $"absent-{i}").First(k => cluster.Ring.VnodeForTopic(k) == vnode);
        Assert.Null(await cluster.Call(next, s => s.GetDocumentAsync(absent)));

        int topicVnode = cluster.Ring.VnodeForTopic("orders");
        Assert.True(cluster.PumpUntil(() => cluster.LeaderOf(topicVnode) != 0));
        ulong topicLeader = cluster.LeaderOf(topicVnode);
        await cluster.Call(topicLeader, s => s.CreateTopicAsync("orders", StoragePolicy.Default, 1));
        await cluster.Call(topicLeader, async s =>
        {
            await s.SetAclAsync("orders", "billing", AclOperations.Consume);
            return true;
        });
        Assert.Equal(AclOperations.Consume, await cluster.Call(topicLeader, s => s.GetAclAsync("orders", "billing")));
    }
}
