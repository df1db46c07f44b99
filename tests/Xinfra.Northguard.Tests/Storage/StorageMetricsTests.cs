using System.Diagnostics.Metrics;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Diagnostics;
using Xinfra.Northguard.Storage.Index;
using static Xinfra.Northguard.Tests.Storage.StorageTestKit;

namespace Xinfra.Northguard.Tests.Storage;

public class StorageMetricsTests
{
    [Fact]
    public async Task GroupCommit_EmitsWalBytesAndFsyncDuration_AndDeviceReportsIoMode()
    {
        var seen = new Dictionary<string, double>();
        var modes = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (seen)
            {
                seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value;
                foreach (var tag in tags)
                {
                    if (tag.Key == "io.mode")
                    {
                        modes.Add((string)tag.Value!);
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        using var dir = new TempDir();
        using (var device = new FileStorageDevice(dir.Path, preferDirect: false))
        {
            Assert.Equal(StorageIoMode.Buffered, device.IoMode);
        }

        using var memory = new MemoryStorageDevice();
        await using var store = await OpenMemoryAsync(memory, new InMemorySparseIndex());
        store.CreateSegment(1, "t", 0);
        await store.AppendAsync(1, Records(1, 0, 3, extraBytes: 1000));

        lock (seen)
        {
            Assert.True(seen.GetValueOrDefault("xinfra.northguard.storage.wal.bytes") > 3000);
            Assert.True(seen.GetValueOrDefault("xinfra.northguard.storage.wal.group_commits") >= 1);
            Assert.True(seen.ContainsKey("xinfra.northguard.storage.fsync.duration"));
            Assert.Contains("buffered", modes);
        }
    }
}
