using Xinfra.Northguard.DataPath;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>
/// Fencing, which orphan sealing does before it reads the replicas' ends: once a follower's copy is fenced, the
/// segment's (still running) leader acknowledges nothing past the fenced end, so a seal at that end loses no
/// acknowledged record.
/// </summary>
public sealed class FencingTests
{
    [Fact]
    public async Task FencedFollower_LeaderAcknowledgesNothingPastTheFencedEnd_AndSealsThere()
    {
        await using var cluster = await DataPathCluster.StartAsync(brokers: 3, options: _ => DataPathCluster.Fast with { ReplicaTimeout = TimeSpan.FromSeconds(2) });
        ulong range = await cluster.CreateTopicAsync("fenced");
        var (call, opened) = await cluster.OpenProduceAsync("fenced", range, producerId: 5);
        using (call)
        {
            await call.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 0, "a", "b", "c"));
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal([0L], call.ResponseStream.Current.Ack.BaseOffsets);

            var segment = (await cluster.Metadata.DescribeTopicAsync("fenced")).Segments[0];
            long fencedEnd = await cluster.Engine(segment.Replicas[1]).FenceAsync(StoreIds.Of(segment.Id), "fenced", 0, CancellationToken.None);
            Assert.Equal(3, fencedEnd);

            await call.RequestStream.WriteAsync(DataPathCluster.Append(opened.StreamId, 1, "d"));
            var responses = new List<ProduceResponse>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
                responses.Add(call.ResponseStream.Current);
                if (call.ResponseStream.Current.KindCase == ProduceResponse.KindOneofCase.Sealed)
                {
                    break;
                }
            }

            Assert.DoesNotContain(responses, r => r.KindCase == ProduceResponse.KindOneofCase.Ack);
            Assert.Equal(fencedEnd, responses[^1].Sealed.EndOffset);
        }

        var sealedSegment = (await cluster.Metadata.DescribeTopicAsync("fenced")).Segments[0];
        Assert.Equal(SegmentState.Sealed, sealedSegment.State);
        Assert.Equal(3, sealedSegment.EndOffset);
    }
}
