using Xinfra.Client.Tests.Support;
using Xinfra.Routing;

namespace Xinfra.Client.Tests.Consuming;

public sealed class TransportFollowTests
{
    [Fact]
    public async Task RunningProducerAndConsumer_FollowANewBootstrap_WithoutBeingRecreated()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var enumerator = consumer.ConsumeAsync(stop.Token).GetAsyncEnumerator();
        await producer.ProduceAsync("k", "one");
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal("one", enumerator.Current.Value);
        var registry = host.Services.GetService(typeof(TransportRegistry)) as TransportRegistry;
        var before = registry!.Get("mem");

        // The reader is parked in a read on mem-1 when the cluster's bootstrap moves to mem-2 (for the in-memory
        // transport, another in-process cluster): it must wake and rejoin there; the producer's next send goes there.
        var second = enumerator.MoveNextAsync();
        Assert.True(host.Configuration.TryApply(TestHost.Options(TestHost.SingleTopic.Replace("mem-1", "mem-2", StringComparison.Ordinal)), out var errors), errors);
        Assert.False(registry.IsCurrent("mem", before));
        await producer.ProduceAsync("k", "two");

        Assert.True(await second);
        Assert.Equal("two", enumerator.Current.Value);
        var mem2 = host.Cluster("mem-2");
        Assert.Equal(1, Enumerable.Range(0, mem2.PartitionCount("orders.v1")).Sum(p => mem2.ReadAll("orders.v1", p).Count));
        await Eventually.TrueAsync(() => mem2.GroupMemberCount("g") == 1 && host.Cluster("mem-1").GroupMemberCount("g") == 0, "the member moved from mem-1 to mem-2");
        await stop.CancelAsync();
        await enumerator.DisposeAsync();
    }
}
