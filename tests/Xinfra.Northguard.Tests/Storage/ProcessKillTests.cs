using System.Diagnostics;
using System.Globalization;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Northguard.Tests.Storage;

public class ProcessKillTests
{
    private const int Segments = 3;

    /// <summary>
    /// A child process appends to a real on-disk store (O_DIRECT where possible, RocksDB index) and prints each
    /// acknowledged offset; it is killed with SIGKILL at a random point, three times over the same directory. The
    /// recovered store must hold every acknowledged record, contiguous and intact.
    /// </summary>
    [Fact]
    public async Task SigKill_DuringAppends_RecoversEveryAcknowledgedRecord()
    {
        using var dir = new StorageTestKit.TempDir();
        var random = new Random(20261125);
        var acked = new long[Segments + 1];
        Array.Fill(acked, -1);
        for (var round = 0; round < 3; round++)
        {
            await RunAndKillAsync(dir.Path, round, random.Next(20, 400), acked);
        }

        using var device = new FileStorageDevice(Path.Combine(dir.Path, "data"));
        using var index = new RocksDbSparseIndex(Path.Combine(dir.Path, "index"));
        await using var store = await FpsStore.OpenAsync(device, index);
        for (var s = 1; s <= Segments; s++)
        {
            var records = await StorageTestKit.ReadAllAsync(store, s);
            Assert.True(records.Count > acked[s], $"segment {s}: {records.Count} records recovered, offset {acked[s]} was acknowledged");
            for (var i = 0; i < records.Count; i++)
            {
                Assert.Equal(i, records[i].Offset);
                Assert.StartsWith($"v-{s}-{i}-", StorageTestKit.ValueOf(records[i]));
                Assert.Equal(i, records[i].Record.Timestamp);
            }
        }
    }

    private static async Task RunAndKillAsync(string directory, int seed, int killAfterAcks, long[] acked)
    {
        var host = AppContext.BaseDirectory.Replace("Xinfra.Northguard.Tests", "Xinfra.Northguard.CrashHost", StringComparison.Ordinal);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(host, "Xinfra.Northguard.CrashHost.dll"));
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(Segments.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        var gate = new Lock();
        var seen = 0;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                enough.TrySetException(new InvalidOperationException($"The crash host exited early: {stderr}"));
                return;
            }

            var parts = e.Data.Split(' ');
            if (parts[0] != "ACK")
            {
                return;
            }

            lock (gate)
            {
                // Only count acknowledgements read before the kill: later lines may be for records not yet durable.
                if (seen >= killAfterAcks)
                {
                    return;
                }

                var segment = int.Parse(parts[1], CultureInfo.InvariantCulture);
                acked[segment] = Math.Max(acked[segment], long.Parse(parts[2], CultureInfo.InvariantCulture));
                if (++seen == killAfterAcks)
                {
                    enough.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (gate)
            {
                stderr.AppendLine(e.Data);
            }
        };
        Assert.True(process.Start());
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix (the app runs inside the dotnet host process)
            await process.WaitForExitAsync();
        }
    }
}
