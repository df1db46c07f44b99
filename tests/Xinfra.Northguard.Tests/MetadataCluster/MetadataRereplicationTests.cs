using Microsoft.Extensions.DependencyInjection;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Tests.MetadataCluster;

public sealed class MetadataRereplicationTests
{
    /// <summary>Through a broker's own service, and through the external client (which asks one broker to gather).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RaftBacked_ListsUnderReplicatedAcrossVnodes_AndReplacesReplicaThroughAnyBroker(bool throughClient)
    {
        await using var cluster = await MetadataClusterHarness.StartAsync(3);
        using var client = MetadataClusterHarness.Client(cluster);
        var segments = new List<SegmentId>();
        for (int v = 0; v < MetadataClusterHarness.Vnodes; v++)
        {
            string topic = MetadataClusterHarness.TopicsOnVnode(v, "rerep", 1)[0];
            var description = await client.CreateTopicAsync(topic, StoragePolicy.Default with { ReplicationFactor = 3 }, 1);
            var segment = await client.OpenSegmentAsync(description.Ranges[0].Id, [1, 2, 3]);
            await client.SealSegmentAsync(segment, 5);
            segments.Add(segment);
        }

        IMetadataService service = throughClient ? client : cluster.Broker(1).Services.GetRequiredService<IMetadataService>();
        var live = new HashSet<ulong> { 1, 2 };
        var listed = await MetadataFailoverTests.Eventually(async () =>
        {
            var found = await service.ListUnderReplicatedSegmentsAsync(live);
            return found.Count == segments.Count ? found : throw new MetadataRequestException("not every vnode answered yet");
        });
        Assert.Equal(segments.Order(Comparer<SegmentId>.Create((a, b) => a.Range.Value.CompareTo(b.Range.Value))), listed.Select(s => s.Segment.Id));
        Assert.All(listed, s => Assert.Equal(0, s.BaseOffset));
        Assert.All(listed, s => Assert.StartsWith("rerep-", s.Topic, StringComparison.Ordinal));
        Assert.Empty(await service.ListUnderReplicatedSegmentsAsync(new HashSet<ulong> { 1, 2, 3 }));

        foreach (var segment in segments)
        {
            await MetadataFailoverTests.Eventually(async () =>
            {
                await service.ReplaceReplicaAsync(segment, 3, 4);
                return true;
            });
        }

        Assert.Empty(await service.ListUnderReplicatedSegmentsAsync(new HashSet<ulong> { 1, 2, 4 }));
        string first = MetadataClusterHarness.TopicsOnVnode(0, "rerep", 1)[0];
        Assert.Equal([1UL, 2UL, 4UL], (await client.DescribeTopicAsync(first)).Segments[0].Replicas);
    }
}
