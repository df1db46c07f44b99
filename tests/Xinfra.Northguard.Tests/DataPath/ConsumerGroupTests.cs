using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class ConsumerGroupTests
{
    [Fact]
    public async Task CommitPosition_ThenFetchFromAnotherClient_ReturnsIt()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        ulong range = await cluster.CreateTopicAsync("groups", ranges: 2);
        await using (var first = new NorthguardConsumerClient(cluster.ClientOptions()))
        {
            Assert.Null(await first.FetchPositionAsync("g1", "groups", range));
            await first.CommitAsync("g1", "groups", range, 42);
            await first.CommitAsync("g1", "groups", range, 43);
        }

        await using var second = new NorthguardConsumerClient(cluster.ClientOptions(o => o with { Endpoints = [o.Endpoints[^1]] }));
        Assert.Equal(43, await second.FetchPositionAsync("g1", "groups", range));
        Assert.Null(await second.FetchPositionAsync("g2", "groups", range));
        await Assert.ThrowsAsync<UnknownTopicException>(() => second.CommitAsync("g1", "nope", range, 1));
    }

    [Fact]
    public void Assign_ThreeMembersFiveRanges_EachRangeExactlyOnce()
    {
        ulong[] ranges = [5, 1, 4, 2, 3];
        string[] members = ["c", "a", "b"];
        var assigned = members.SelectMany(m => NorthguardRangeAssignor.Assign(ranges, members, m)).ToList();
        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5 }, assigned.Order());
        Assert.Equal([1UL, 4], NorthguardRangeAssignor.Assign(ranges, members, "a"));
    }
}
