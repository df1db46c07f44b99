using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary>Consumer groups on Northguard: members split the ranges, and a leaving member hands its ranges over.</summary>
public sealed partial class NorthguardTransportTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoMembers_SplitTheRanges_ReadEveryRecordOnceInKeyOrder()
    {
        var physical = $"split-{Guid.NewGuid():N}"[..20];
        var group = $"g-{Guid.NewGuid():N}";
        await using var provider = Services("split", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        var log = new ReadLog();
        await using var a = new GroupMember(xinfra, "split", group, log);
        await using var b = new GroupMember(xinfra, "split", group, log);
        await WaitUntilAsync(() => a.Consumer.Assignment.Count == 2 && b.Consumer.Assignment.Count == 2);
        Assert.Empty(a.Consumer.Assignment.Intersect(b.Consumer.Assignment));

        await ProduceAsync(xinfra, "split", 0, 400);
        await WaitUntilAsync(() => log.Count >= 400);

        var read = log.Snapshot();
        Assert.Equal(400, read.Count);
        Assert.Equal(400, read.Select(r => r.Value).Distinct().Count());
        AssertKeyOrder(read);
        Assert.Contains(read, r => r.Member == a);
        Assert.Contains(read, r => r.Member == b);
        Assert.All(read, r => Assert.Contains(r.Partition, r.Member.Consumer.Assignment));
    }

    [Fact]
    public async Task MemberLeaves_HandsItsRangesToTheOther_WithoutLossOrDuplicate()
    {
        var physical = $"leave-{Guid.NewGuid():N}"[..20];
        var group = $"g-{Guid.NewGuid():N}";
        await using var provider = Services("leave", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        var transport = provider.GetRequiredService<TransportRegistry>().Get("ng");
        var topic = new PhysicalTopic("leave", "ng", physical, 4);
        var log = new ReadLog();
        var a = new GroupMember(xinfra, "leave", group, log);
        await using var b = new GroupMember(xinfra, "leave", group, log);
        await WaitUntilAsync(() => a.Consumer.Assignment.Count == 2 && b.Consumer.Assignment.Count == 2);
        Assert.Equal(2, (await transport.DescribeGroupAsync(group, topic, CancellationToken.None)).Members);

        await ProduceAsync(xinfra, "leave", 0, 200);
        await WaitUntilAsync(() => log.Count >= 200);
        var leaving = a.Consumer.Assignment.ToList();
        await a.DisposeAsync();
        Assert.Equal(1, (await transport.DescribeGroupAsync(group, topic, CancellationToken.None)).Members);

        await ProduceAsync(xinfra, "leave", 200, 200);
        await WaitUntilAsync(() => log.Count >= 400);

        var read = log.Snapshot();
        Assert.Equal(400, read.Count);
        Assert.Equal(400, read.Select(r => r.Value).Distinct().Count());
        AssertKeyOrder(read);
        Assert.Equal(4, b.Consumer.Assignment.Count);
        Assert.Contains(read, r => r.Member == b && leaving.Contains(r.Partition));
    }

    /// <summary>
    /// Two ranges read by different members are merged while records flow: the group gives both parents and the child
    /// to one member (a family), which reads each parent to its end before the child — no record lost or repeated,
    /// per-key order kept across the handover.
    /// </summary>
    [Fact]
    public async Task RangesOfTwoMembersMerged_OneMemberReadsBothParentsThenTheChild_ExactlyOnceInKeyOrder()
    {
        var physical = $"merge-{Guid.NewGuid():N}"[..20];
        var group = $"g-{Guid.NewGuid():N}";
        await using var provider = Services("merge", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        var log = new ReadLog();
        await using var a = new GroupMember(xinfra, "merge", group, log);
        await using var b = new GroupMember(xinfra, "merge", group, log);
        await WaitUntilAsync(() => a.Consumer.Assignment.Count == 2 && b.Consumer.Assignment.Count == 2);
        await ProduceAsync(xinfra, "merge", 0, 200);
        await WaitUntilAsync(() => log.Count >= 200);

        var options = new Xinfra.Northguard.Client.NorthguardClientOptions { Endpoints = northguard.Cluster.Bootstrap.Split(',') };
        await using var reader = new Xinfra.Northguard.Client.NorthguardConsumerClient(options);
        var ranges = await reader.GetRangesAsync(physical);
        var left = ranges[0].RangeId;
        var right = ranges[1].RangeId;
        Assert.NotEqual(
            a.Consumer.Assignment.Any(p => (ulong)p.Partition == left),
            a.Consumer.Assignment.Any(p => (ulong)p.Partition == right));
        using var admin = new Xinfra.Northguard.Client.NorthguardAdminClient(options);
        var child = await admin.MergeRangesAsync(physical, left, right);

        await ProduceAsync(xinfra, "merge", 200, 200);
        await WaitUntilAsync(() => log.Count >= 400);

        var read = log.Snapshot();
        Assert.Equal(400, read.Count);
        Assert.Equal(400, read.Select(r => r.Value).Distinct().Count());
        AssertKeyOrder(read);
        var childReader = Assert.Single(read.Where(r => (ulong)r.Partition.Partition == child).Select(r => r.Member).Distinct());
        Assert.Contains(childReader.Consumer.Assignment, p => (ulong)p.Partition == left || (ulong)p.Partition == child);
    }

    [Fact]
    public async Task DescribeGroup_WithoutMembers_CountsZero()
    {
        var physical = $"empty-{Guid.NewGuid():N}"[..20];
        await using var provider = Services("empty", physical);
        var xinfra = provider.GetRequiredService<IXinfraClient>();
        await ProduceAsync(xinfra, "empty", 0, 1);
        var transport = provider.GetRequiredService<TransportRegistry>().Get("ng");

        var description = await transport.DescribeGroupAsync("nobody", new PhysicalTopic("empty", "ng", physical, 4), CancellationToken.None);

        Assert.Equal(0, description.Members);
    }

    /// <summary>Produces records <paramref name="from"/>.. as "key:sequence" on 13 keys, one sequential task per key.</summary>
    private static async Task ProduceAsync(IXinfraClient xinfra, string topic, int from, int count)
    {
        await using var producer = xinfra.CreateProducer<string, string>(topic);
        await Task.WhenAll(Enumerable.Range(0, 13).Select(async key =>
        {
            for (var i = from; i < from + count; i++)
            {
                if (i % 13 == key)
                {
                    await producer.ProduceAsync($"k{key}", $"k{key}:{i / 13}");
                }
            }
        }));
    }

    private static void AssertKeyOrder(IReadOnlyList<ReadRecord> read)
    {
        foreach (var perKey in read.GroupBy(r => r.Key))
        {
            var seqs = perKey.Select(r => int.Parse(r.Value.Split(':')[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, seqs.Count), seqs);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private sealed record ReadRecord(GroupMember Member, string Key, string Value, TopicPartition Partition);

    private sealed class ReadLog
    {
        private readonly List<ReadRecord> _records = [];

        public int Count
        {
            get
            {
                lock (_records)
                {
                    return _records.Count;
                }
            }
        }

        public void Add(ReadRecord record)
        {
            lock (_records)
            {
                _records.Add(record);
            }
        }

        public List<ReadRecord> Snapshot()
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>A group member consuming in the background until disposed (which commits and leaves).</summary>
    private sealed class GroupMember : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private bool _disposed;

        public GroupMember(IXinfraClient xinfra, string topic, string group, ReadLog log)
        {
            Consumer = xinfra.CreateConsumer(topic, new ConsumerOptions<string, string> { GroupId = group, CommitInterval = TimeSpan.FromMilliseconds(50) });
            _loop = Task.Run(async () =>
            {
                await foreach (var result in Consumer.ConsumeAsync(_stop.Token))
                {
                    log.Add(new ReadRecord(this, result.Key!, result.Value!, result.Position.TopicPartition));
                }
            });
        }

        public IXinfraConsumer<string, string> Consumer { get; }

        public async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }

            await Consumer.DisposeAsync();
            _stop.Dispose();
        }
    }
}
