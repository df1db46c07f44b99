using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Groups;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary>A transport consumer whose range was granted again: its commit is fenced and it rejoins with a new lease.</summary>
public sealed partial class NorthguardTransportTests
{
    [Fact]
    public async Task Commit_AfterTheRangeWasGrantedAgain_IsFenced_AndTheMemberRejoinsWithANewerLease()
    {
        var physical = $"fence-{Guid.NewGuid():N}"[..20];
        var group = $"g-{Guid.NewGuid():N}";
        await using var provider = Services("fence", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        var transport = provider.GetRequiredService<TransportRegistry>().Get("ng");
        var topic = new PhysicalTopic("fence", "ng", physical, 4);
        await ProduceAsync(xinfra, "fence", 0, 40);
        await using var consumer = transport.CreateConsumer(new ConsumerSpec { GroupId = group, Topics = [topic], AutoOffsetReset = AutoOffsetReset.Earliest });
        using var cts = new CancellationTokenSource(Deadline);
        var first = await consumer.ReadAsync(cts.Token);
        var range = first.Position.TopicPartition;

        // The range is granted again behind the member's back (as a coordinator does once the member stalled past its lease).
        var metadata = northguard.Cluster.Brokers[0].Services.GetRequiredService<IMetadataService>();
        long intruder = await new GroupPositions(metadata).ClaimAsync(GroupPositions.Key(group, physical, (ulong)range.Partition), "intruder", cts.Token);

        var fenced = await Assert.ThrowsAsync<CommitFencedException>(async () =>
            await consumer.CommitAsync([new TopicPartitionOffset(range, first.Position.Offset + 1)], cts.Token));
        Assert.Equal((group, physical, (ulong)range.Partition, intruder, "intruder"), (fenced.Group, fenced.Topic, fenced.RangeId, fenced.HolderEpoch, fenced.HolderMember));
        Assert.True(fenced.LeaseEpoch < intruder);
        Assert.Equal(-1, (await consumer.GetCommittedAsync([range], cts.Token))[0].Offset);

        // Its next read drops every range and rejoins; the new grant claims a newer lease, so its commits land again.
        var again = await consumer.ReadAsync(cts.Token);
        await consumer.CommitAsync([new TopicPartitionOffset(again.Position.TopicPartition, again.Position.Offset + 1)], cts.Token);
        Assert.Equal(again.Position.Offset + 1, (await consumer.GetCommittedAsync([again.Position.TopicPartition], cts.Token))[0].Offset);
    }
}
