using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Xinfra.Northguard.Client;

namespace Xinfra.Northguard.Tests.DataPath;

/// <summary>The produce stage histograms (client, leader, follower) publish while a listener is enabled.</summary>
public sealed class ProduceStageMetricsTests
{
    [Fact]
    public async Task ProduceAsync_WithAListener_EveryStageIsMeasuredAndBatchStagesCountTheirRecords()
    {
        var seen = new ConcurrentDictionary<string, ConcurrentBag<(double Value, int Records)>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Xinfra.Northguard" && instrument.Name.Contains(".produce.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            int records = 0;
            foreach (var tag in tags)
            {
                if (tag is { Key: "records", Value: int count })
                {
                    records = count;
                }
            }

            seen.GetOrAdd(instrument.Name, _ => []).Add((value, records));
        });
        listener.Start();

        await using var cluster = await DataPathCluster.StartAsync();
        await cluster.CreateTopicAsync("stages");
        await using var producer = new NorthguardProducerClient(cluster.ClientOptions());
        await producer.ProduceAsync("stages", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("route")));
        var pending = Enumerable.Range(0, 200).Select(i => producer.ProduceAsync("stages", new NorthguardRecord(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes($"v{i}"))).AsTask()).ToList();
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));

        string[] batchStages =
        [
            "xinfra.northguard.client.produce.linger", "xinfra.northguard.client.produce.queued", "xinfra.northguard.client.produce.write",
            "xinfra.northguard.client.produce.round_trip", "xinfra.northguard.produce.leader.local_durable", "xinfra.northguard.produce.leader.committed",
        ];
        foreach (string stage in batchStages)
        {
            Assert.True(seen.TryGetValue(stage, out var values), stage);
            Assert.All(values, v => Assert.True(v.Value >= 0 && v.Records > 0, stage));
        }

        Assert.True(seen["xinfra.northguard.client.produce.completion"].Count >= 200);
        Assert.NotEmpty(seen["xinfra.northguard.produce.follower.durable"]);
    }
}
