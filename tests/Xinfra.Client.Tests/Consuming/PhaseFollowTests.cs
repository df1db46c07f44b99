using Xinfra.Client.Tests.Support;

namespace Xinfra.Client.Tests.Consuming;

public sealed class PhaseFollowTests
{

    [Fact]
    public async Task RunningConsumer_FollowsTheReadEpoch_WhenThePhaseFlips()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("DualWriteReadSource"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string>
        {
            GroupId = "g",
            AutoOffsetReset = Xinfra.Transport.AutoOffsetReset.Latest,
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var enumerator = consumer.ConsumeAsync(stop.Token).GetAsyncEnumerator();
        var first = enumerator.MoveNextAsync();
        await Eventually.TrueAsync(() => consumer.Assignment.Count == 2, "joined on the source (2 partitions)");
        await producer.ProduceAsync("k", "one");
        Assert.True(await first);
        Assert.Equal(("old", 0), (enumerator.Current.Cluster, enumerator.Current.Epoch));

        // The reader is parked in a read on the source; the flip must wake it and move it to the target.
        var second = enumerator.MoveNextAsync();
        Assert.True(host.Configuration.TryApply(TestHost.Options(TestHost.Migrating("DualWriteReadTarget")), out _));
        await Eventually.TrueAsync(() => consumer.Assignment.Count == 4, "joined on the target (4 partitions)");
        await producer.ProduceAsync("k", "two");

        Assert.True(await second);
        Assert.Equal(("new", 1, "two"), (enumerator.Current.Cluster, enumerator.Current.Epoch, enumerator.Current.Value));
        await stop.CancelAsync();
        await enumerator.DisposeAsync();
    }
}
