using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Client.Tests.Support;
using Xinfra.Migration;

namespace Xinfra.Client.Tests.Migration;

public sealed class MirrorTests
{
    private static XinfraOptions Options(string phase) => TestHost.Options(TestHost.Migrating(phase));

    [Fact]
    public async Task Backfill_ThenDualWrite_NewGroupOnTargetReadsTheWholeHistoryOnceInKeyOrder()
    {
        await using var host = TestHost.FromJson(TestHost.Migrating("SourceOnly"));
        await using var producer = host.Client.CreateProducer<string, string>("orders");
        var sequence = new int[5];
        async Task ProduceAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var key = i % 5;
                await producer.ProduceAsync($"k{key}", $"k{key}:{sequence[key]++}");
            }
        }

        await ProduceAsync(100);
        var mirror = host.Services.GetRequiredService<TopicMirror>();
        var first = await mirror.RunAsync("orders");
        Assert.Equal((100L, 0L), (first.Copied, first.Skipped));

        Assert.True(host.Configuration.TryApply(Options("DualWriteReadSource"), out _));
        await ProduceAsync(50);
        var second = await mirror.RunAsync("orders");
        Assert.Equal((0L, 50L), (second.Copied, second.Skipped));
        Assert.Equal(150, Enumerable.Range(0, 4).Sum(p => host.Cluster("new-1").ReadAll("orders.ng", p).Count));

        Assert.True(host.Configuration.TryApply(Options("DualWriteReadTarget"), out _));
        await using var consumer = host.Client.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "newcomer" });
        var read = new List<ConsumeResult<string, string>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            read.Add(result);
            if (read.Count == 150)
            {
                break;
            }
        }

        Assert.All(read, r => Assert.Equal("new", r.Cluster));
        Assert.Equal(150, read.Select(r => r.Value).Distinct().Count());
        foreach (var perKey in read.GroupBy(r => r.Key))
        {
            var seqs = perKey.Select(r => int.Parse(r.Value!.Split(':')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, 30), seqs);
        }
    }

    [Fact]
    public async Task Mirror_WithoutTarget_ThrowsNamingTheField()
    {
        await using var host = TestHost.FromJson(TestHost.SingleTopic);
        var error = await Assert.ThrowsAsync<XinfraConfigurationException>(() => host.Services.GetRequiredService<TopicMirror>().RunAsync("orders"));
        Assert.Contains("Xinfra:Topics:orders:Epochs", error.Message, StringComparison.Ordinal);
    }
}
