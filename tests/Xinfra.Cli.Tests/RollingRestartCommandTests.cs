namespace Xinfra.Cli.Tests;

public sealed class RollingRestartCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("xinfra-cli-cluster-").FullName;

    [Fact]
    public async Task RollingRestart_ClusterHostedByRun_RestartsEveryBrokerOneAtATime()
    {
        using var stop = new CancellationTokenSource();
        var run = Cli.RunAsync(stop.Token, "cluster", "run", "--brokers", "3", "--data-dir", _folder);
        try
        {
            var info = Path.Combine(_folder, ".xinfra-cluster", "cluster.json");
            await Cli.EventuallyAsync(async () => File.Exists(info) ? info : run.IsCompleted ? throw new InvalidOperationException((await run).ToString()) : null, "cluster run to start");
            var bootstrap = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(info)).RootElement.GetProperty("bootstrap").GetString()!;
            Assert.Equal(0, (await Cli.RunAsync("topics", "create", "kept", "-r", "3", "--throughput-mbps", "0.001", "-b", bootstrap)).ExitCode);

            var restart = await Cli.RunAsync("cluster", "rolling-restart", "--data-dir", _folder, "--step-timeout", "60", "--json");

            Assert.True(restart.ExitCode == 0, restart.ToString());
            var json = restart.Json();
            Assert.True(json.GetProperty("ok").GetBoolean());
            var done = json.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("stage").GetString() == "done").Select(s => s.GetProperty("broker").GetUInt64());
            Assert.Equal([1UL, 2UL, 3UL], done);
            var order = json.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("broker").GetUInt64(), s.GetProperty("stage").GetString())).ToList();
            // One at a time: broker 2 starts waiting only after broker 1 is done.
            Assert.True(order.IndexOf((1UL, "done")) < order.IndexOf((2UL, "waiting-safe")));
            Assert.Contains("rolling restart [", restart.Error, StringComparison.Ordinal);

            var topics = await Cli.RunAsync("topics", "list", "-b", bootstrap, "--json");
            Assert.Contains(topics.Json().EnumerateArray(), t => t.GetProperty("name").GetString() == "kept");
        }
        finally
        {
            await stop.CancelAsync();
            var stopped = await run;
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
        }

        Assert.False(File.Exists(Path.Combine(_folder, ".xinfra-cluster", "cluster.json")));
    }

    [Fact]
    public async Task RollingRestart_NoClusterRunning_Fails()
    {
        var result = await Cli.RunAsync("cluster", "rolling-restart", "--data-dir", _folder);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no cluster is running", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
