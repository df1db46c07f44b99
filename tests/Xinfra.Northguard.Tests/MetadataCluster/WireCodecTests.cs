using Grpc.Core;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Xinfra.Northguard.Metadata.Ring;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Northguard.Tests.MetadataCluster;

public sealed class WireCodecTests
{
    [Fact]
    public void RaftMessage_RoundTripsThroughProtobuf_WithEntriesAndSnapshot()
    {
        var message = new RaftMessage
        {
            Type = MessageType.Append,
            From = 2,
            To = 3,
            Term = 7,
            LogTerm = 6,
            Index = 41,
            Entries = [new LogEntry(42, 7, EntryKind.Normal, new byte[] { 1, 2, 3 }), new LogEntry(43, 7, EntryKind.ConfChange, new byte[] { 9 })],
            Commit = 40,
            Reject = true,
            RejectHint = 39,
            Context = 1234,
            Force = true,
            Snapshot = new RaftSnapshot(30, 5, [1, 2, 3], new byte[] { 4, 5 }),
        };

        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(RaftWireCodec.ToWire(new GroupMessage(11, message)));
        var back = RaftWireCodec.FromWire(Protocol.Raft.GroupMessage.Parser.ParseFrom(bytes));

        Assert.Equal(11UL, back.Group);
        var m = back.Message;
        Assert.Equal((message.Type, message.From, message.To, message.Term, message.LogTerm, message.Index), (m.Type, m.From, m.To, m.Term, m.LogTerm, m.Index));
        Assert.Equal((message.Commit, message.Reject, message.RejectHint, message.Context, message.Force), (m.Commit, m.Reject, m.RejectHint, m.Context, m.Force));
        Assert.Equal(2, m.Entries.Count);
        Assert.All(message.Entries.Zip(m.Entries), pair => Assert.True(pair.First.SameAs(pair.Second)));
        Assert.Equal((30L, 5L), (m.Snapshot!.Index, m.Snapshot.Term));
        Assert.Equal([1UL, 2UL, 3UL], m.Snapshot.Voters);
        Assert.Equal(new byte[] { 4, 5 }, m.Snapshot.Data.ToArray());
    }

    [Fact]
    public void TopicDescription_AndPolicy_RoundTrip()
    {
        var policy = new StoragePolicy { ReplicationFactor = 2, RetentionTime = null, RetentionBytes = 1000, SegmentBytes = 4096, SegmentAge = TimeSpan.FromMinutes(5) };
        var r1 = RangeId.Create(3, 1);
        var r2 = RangeId.Create(3, 2);
        var description = new TopicDescription(
            new TopicInfo("t", policy, [r1, r2]),
            [new RangeInfo(r1, "t", 0, 99, RangeState.Retired, [], [r2], 1), new RangeInfo(r2, "t", 0, 99, RangeState.Active, [r1], [], 0)],
            [new SegmentInfo(new SegmentId(r1, 0), SegmentState.Sealed, [1, 2], 77)]);

        var back = MetadataWire.FromWire(MetadataWire.ToWire(description));

        Assert.Equal(policy, back.Topic.Policy);
        Assert.Equal(description.Topic.Ranges, back.Topic.Ranges);
        Assert.Equal((RangeState.Retired, r2), (back.Ranges[0].State, back.Ranges[0].Children[0]));
        Assert.Equal(r1, back.Ranges[1].Parents[0]);
        Assert.Equal((SegmentState.Sealed, 77L), (back.Segments[0].State, back.Segments[0].EndOffset));
        Assert.Equal([1UL, 2UL], back.Segments[0].Replicas);
    }

    [Fact]
    public void Errors_MapToGrpcAndBack()
    {
        var notLeader = Assert.IsType<NotLeaderException>(MetadataWire.FromRpc(MetadataWire.ToRpc(new NotLeaderException("moved", 4, 2), _ => "http://h:1")!, "t"));
        Assert.Equal((4, 2UL, "t"), (notLeader.Vnode, notLeader.LeaderHint, notLeader.Topic));
        Assert.IsType<TopicExistsException>(MetadataWire.FromRpc(MetadataWire.ToRpc(new TopicExistsException("x"), _ => null)!, "t"));
        Assert.IsType<UnknownTopicException>(MetadataWire.FromRpc(MetadataWire.ToRpc(new UnknownTopicException("x"), _ => null)!, "t"));
        Assert.IsType<DocumentVersionMismatchException>(MetadataWire.FromRpc(MetadataWire.ToRpc(new DocumentVersionMismatchException("x"), _ => null)!, null));
        Assert.IsType<MetadataRequestException>(MetadataWire.FromRpc(MetadataWire.ToRpc(new MetadataRequestException("x"), _ => null)!, null));
        Assert.IsType<MetadataUnavailableException>(MetadataWire.FromRpc(new RpcException(new Status(StatusCode.Unavailable, "down")), null));
        Assert.Null(MetadataWire.ToRpc(new InvalidOperationException("bug"), _ => null));
    }
}
