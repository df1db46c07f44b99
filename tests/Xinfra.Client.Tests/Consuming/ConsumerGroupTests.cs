using System.Collections.Concurrent;
using System.Globalization;
using Xinfra.Client.Tests.Support;
using Xinfra.Transport;

namespace Xinfra.Client.Tests.Consuming;

public sealed class ConsumerGroupTests
{
    private const string SixPartitions = """
        { "Xinfra": { "Clusters": { "mem": { "Kind": "InMemory", "Bootstrap": "m", "DefaultPartitions": 6 } },
                      "Topics": { "events": { "Cluster": "mem" } } } }
        """;

    [Fact]
    public async Task TwoMembers_SplitThePartitions_AndTogetherReadEverythingOnce()
    {
        await using var host = TestHost.FromJson(SixPartitions);
        await using var producer = host.Client.CreateProducer<string, string>("events");
        const int Total = 600;
        var seen = new ConcurrentDictionary<string, int>();
        var byMember = new ConcurrentDictionary<string, ConcurrentBag<long>>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        async Task RunMemberAsync(string name)
        {
            var assigned = byMember.GetOrAdd(name, _ => []);
            await using var consumer = host.Client.CreateConsumer<string, string>("events", new ConsumerOptions<string, string>
            {
                GroupId = "workers",
                CommitInterval = TimeSpan.FromMilliseconds(10),
                OnPartitionsAssigned = ps => { foreach (var p in ps) { assigned.Add(p.Partition); } },
            });
            try
            {
                await foreach (var record in consumer.ConsumeAsync(stop.Token))
                {
                    seen.AddOrUpdate(record.Value!, 1, (_, n) => n + 1);
                    if (seen.Count == Total)
                    {
                        await stop.CancelAsync();
                    }

                    await Task.Yield();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        var first = Task.Run(() => RunMemberAsync("a"));
        for (var i = 0; i < Total / 2; i++)
        {
            await producer.ProduceAsync($"k{i}", i.ToString(CultureInfo.InvariantCulture));
        }

        await Eventually.TrueAsync(() => seen.Count >= 50, "the first member reads");
        var second = Task.Run(() => RunMemberAsync("b"));
        await Eventually.TrueAsync(() => byMember.TryGetValue("b", out var b) && !b.IsEmpty, "the second member gets partitions");
        for (var i = Total / 2; i < Total; i++)
        {
            await producer.ProduceAsync($"k{i}", i.ToString(CultureInfo.InvariantCulture));
        }

        await Task.WhenAll(first, second);
        Assert.Equal(Total, seen.Count);
        Assert.All(seen, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(3, byMember["b"].Count);
    }

    [Fact]
    public async Task RebalanceCallbacks_RevokeBeforeTheNewOwnerReads()
    {
        await using var host = TestHost.FromJson(SixPartitions);
        await using var producer = host.Client.CreateProducer<string, string>("events");
        for (var i = 0; i < 60; i++)
        {
            await producer.ProduceAsync($"k{i}", $"{i}");
        }

        var revoked = new List<TopicPartition>();
        await using var a = host.Client.CreateConsumer<string, string>("events", new ConsumerOptions<string, string>
        {
            GroupId = "g",
            OnPartitionsRevoked = ps => revoked.AddRange(ps),
        });
        using var stopA = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var aEnumerator = a.ConsumeAsync(stopA.Token).GetAsyncEnumerator();
        for (var i = 0; i < 60; i++)
        {
            Assert.True(await aEnumerator.MoveNextAsync());
        }

        await using var b = host.Client.CreateConsumer<string, string>("events", new ConsumerOptions<string, string> { GroupId = "g" });
        using var stopB = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var bRead = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in b.ConsumeAsync(stopB.Token))
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        // b joins but gets nothing until a gives its partitions up, which a does on its next read.
        await Eventually.TrueAsync(() => host.Cluster("m").GroupMemberCount("g") == 2, "b joined the group");
        Assert.Empty(b.Assignment);
        Assert.Equal(6, a.Assignment.Count);
        await producer.ProduceAsync("late", "x");
        var aNext = aEnumerator.MoveNextAsync();
        await Eventually.TrueAsync(() => revoked.Count == 3, "a revoked three partitions");
        await Eventually.TrueAsync(() => b.Assignment.Count == 3, "b owns three partitions");
        Assert.Equal(3, a.Assignment.Count);
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        await stopB.CancelAsync();
        await bRead;
        await stopA.CancelAsync();
        try
        {
            await aNext;
        }
        catch (OperationCanceledException)
        {
        }

        await aEnumerator.DisposeAsync();
    }
}
