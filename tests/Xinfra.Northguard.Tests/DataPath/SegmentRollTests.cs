using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Tests.DataPath;

public sealed class SegmentRollTests
{
    [Fact]
    public async Task Produce_SegmentReachesSizeLimit_SealedAndRolled_OffsetsContiguousAcrossSegments()
    {
        await using var cluster = await DataPathCluster.StartAsync();
        var description = await cluster.Metadata.CreateTopicAsync("roll", StoragePolicy.Default with { SegmentBytes = 3000 }, 1);
        ulong range = description.Ranges[0].Id.Value;
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        for (int i = 0; i < 60; i++)
        {
            var receipt = await producer.ProduceAsync("roll", new NorthguardRecord(new byte[] { 1 }, Encoding.UTF8.GetBytes($"{i}".PadRight(200))));
            Assert.Equal(i, receipt.Offset);
        }

        var segments = (await cluster.Metadata.DescribeTopicAsync("roll")).Segments;
        Assert.True(segments.Count >= 4, $"{segments.Count} segments");
        Assert.All(segments.SkipLast(1), s => Assert.Equal(SegmentState.Sealed, s.State));
        Assert.Equal(segments.SkipLast(1).Select(s => s.EndOffset), segments.SkipLast(1).Select(s => s.EndOffset).Order());

        await using var consumer = new NorthguardConsumerClient(cluster.ClientOptions());
        var records = await DataPathCluster.ReadAsync(consumer, "roll", range, 60);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), records.Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"{i}"), records.Select(r => Encoding.UTF8.GetString(r.Record.Value.Span).Trim()));
    }
}
