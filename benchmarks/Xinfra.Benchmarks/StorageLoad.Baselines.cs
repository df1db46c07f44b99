using System.Diagnostics;
using System.Globalization;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Benchmarks;

internal static partial class StorageLoad
{
    /// <summary>The disk's own limit: a plain loop of pwrite + fdatasync of <paramref name="batchBytes"/>.</summary>
    private static LimitResult RunLimit(string path, int batchBytes, TimeSpan duration)
    {
        var batch = new byte[Math.Max(1, batchBytes)];
        Random.Shared.NextBytes(batch);
        var latencies = new List<double>();
        long offset = 0;
        using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
        {
            var fd = (int)handle.DangerousGetHandle();
            var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var stopwatch = Stopwatch.StartNew();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                RandomAccess.Write(handle, batch, offset);
                if (LibC.FDataSync(fd) != 0)
                {
                    throw new IOException("fdatasync failed");
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                offset += batch.Length;
            }

            var sorted = latencies.Order().ToArray();
            var result = new LimitResult(offset / stopwatch.Elapsed.TotalSeconds / 1e6, Percentile(sorted, 0.5), Percentile(sorted, 0.99));
            File.Delete(path);
            return result;
        }
    }

    /// <summary>Reads a sealed 256 MiB segment through the store, then the same file with <c>cat</c>.</summary>
    private static async Task RunReadAsync(string directory)
    {
        const int RecordSize = 16384;
        var records = Enumerable.Range(0, 64).Select(_ => new LogRecord(default, new byte[RecordSize], 0)).ToArray();
        string file;
        long bytes;
        {
            using var device = new FileStorageDevice(Path.Combine(directory, "data"));
            using var index = new RocksDbSparseIndex(Path.Combine(directory, "index"));
            await using var store = await FpsStore.OpenAsync(device, index, FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.Zero });
            store.CreateSegment(1, "read", 0);
            for (var i = 0; i < 256; i++)
            {
                await store.AppendAsync(1, records);
            }

            await store.SealSegmentAsync(1);
            bytes = store.GetSegment(1)!.SizeBytes;
            file = Path.Combine(directory, "data", "seg-0000000000000000001.ngs");
        }

        {
            using var device = new FileStorageDevice(Path.Combine(directory, "data"));
            using var index = new RocksDbSparseIndex(Path.Combine(directory, "index"));
            await using var store = await FpsStore.OpenAsync(device, index);
            var stopwatch = Stopwatch.StartNew();
            long offset = 0, count = 0;
            while (true)
            {
                var result = await store.ReadAsync(1, offset, 1 << 20);
                if (result.Records.Count == 0)
                {
                    break;
                }

                count += result.Records.Count;
                offset = result.NextOffset;
            }

            var storeSeconds = stopwatch.Elapsed.TotalSeconds;
            var cold = Cat(file);
            var warm = Cat(file);
            Console.WriteLine();
            Console.WriteLine("| sealed read | MB/s | seconds |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| fps-store ReadAsync ({device.IoMode}, {count} records, {bytes / 1048576} MiB) | {bytes / storeSeconds / 1e6:F0} | {storeSeconds:F3} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| cat file > /dev/null (first) | {bytes / cold / 1e6:F0} | {cold:F3} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| cat file > /dev/null (again, page cache) | {bytes / warm / 1e6:F0} | {warm:F3} |"));
        }
    }

    private static double Cat(string file)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("cat \"$0\" > /dev/null");
        start.ArgumentList.Add(file);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return stopwatch.Elapsed.TotalSeconds;
    }
}
