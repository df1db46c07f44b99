using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Xinfra.IntegrationTests.Northguard;

/// <summary>
/// <c>northguard-server</c>: brokers as their own processes, configured by file, serving Xinfra clients; a broker killed
/// with SIGKILL does not lose acknowledged records; SIGTERM stops a broker cleanly; a bad file is refused by name.
/// </summary>
public sealed class ServerProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ThreeBrokerProcesses_ServeClients_SurviveOneKilled_AndStopCleanly()
    {
        var root = Directory.CreateTempSubdirectory("xinfra-server-it-").FullName;
        // Three brokers, RF=3: with one killed, the next segments open on the two left (and are topped up later).
        var ports = FreePorts(3);
        var brokers = new List<BrokerProcess>();
        try
        {
            for (var id = 1; id <= 3; id++)
            {
                var config = Path.Combine(root, $"broker-{id}.json");
                await File.WriteAllTextAsync(config, ConfigJson(id, ports, Path.Combine(root, $"data-{id}")));
                brokers.Add(BrokerProcess.Start(config));
            }

            await Task.WhenAll(brokers.Select(b => b.Listening.WaitAsync(Deadline)));
            var bootstrap = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
            await using var provider = Client(bootstrap);
            var xinfra = provider.GetRequiredService<IXinfraClient>();
            await using var producer = xinfra.CreateProducer<string, string>("orders");
            await ProduceWithStartupRetryAsync(producer, "k0", "k0:0");
            for (var i = 1; i < 150; i++)
            {
                await producer.ProduceAsync($"k{i % 5}", $"k{i % 5}:{i / 5}");
            }

            brokers[2].Kill();
            for (var i = 150; i < 300; i++)
            {
                await producer.ProduceAsync($"k{i % 5}", $"k{i % 5}:{i / 5}");
            }

            await using var consumer = xinfra.CreateConsumer<string, string>("orders", new ConsumerOptions<string, string> { GroupId = "g" });
            var read = new List<string>();
            var positions = new List<string>();
            using var timeout = new CancellationTokenSource(Deadline);
            await foreach (var result in consumer.ConsumeAsync(timeout.Token))
            {
                read.Add(result.Value!);
                positions.Add($"{result.Value}@{result.Position.Partition}:{result.Position.Offset}");
                if (read.Count == 300)
                {
                    break;
                }
            }

            var dups = read.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
            Assert.True(dups.Count == 0, "records read twice: " + string.Join(" ", positions.Where(p => dups.Contains(p.Split('@')[0]))) + " | brokers: " + string.Join("\n", brokers.SelectMany((b, n) => b.Output.Split('\n').Where(l => l.Contains("egment", StringComparison.Ordinal) || l.Contains("eal", StringComparison.Ordinal)).Select(l => $"b{n + 1}: {l}"))));
            foreach (var perKey in read.GroupBy(v => v.Split(':')[0]))
            {
                var sequence = perKey.Select(v => int.Parse(v.Split(':')[1], CultureInfo.InvariantCulture)).ToList();
                Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);
            }

            await consumer.DisposeAsync();
            await producer.DisposeAsync();
            foreach (var broker in brokers.Take(2))
            {
                Assert.Equal(0, await broker.TerminateAsync(TimeSpan.FromSeconds(60)));
                Assert.Contains("stopped", broker.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var broker in brokers)
            {
                broker.Dispose();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task InvalidConfiguration_IsRefused_NamingEveryWrongField()
    {
        var root = Directory.CreateTempSubdirectory("xinfra-server-it-").FullName;
        try
        {
            var config = Path.Combine(root, "bad.json");
            await File.WriteAllTextAsync(config, """
                { "Northguard": { "BrokerId": 0, "Port": 70000, "MetricsPort": -1, "Members": { "x": "http://127.0.0.1:1", "2": "not-a-url" } } }
                """);
            using var broker = BrokerProcess.Start(config);
            var exit = await broker.WaitForExitAsync(Deadline);

            Assert.Equal(2, exit);
            Assert.Contains("Northguard:BrokerId", broker.Errors, StringComparison.Ordinal);
            Assert.Contains("Northguard:DataDirectory", broker.Errors, StringComparison.Ordinal);
            Assert.Contains("Northguard:Port 70000", broker.Errors, StringComparison.Ordinal);
            Assert.Contains("Northguard:MetricsPort -1", broker.Errors, StringComparison.Ordinal);
            Assert.Contains("Northguard:Members:x", broker.Errors, StringComparison.Ordinal);
            Assert.Contains("Northguard:Members:2 'not-a-url'", broker.Errors, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task ProduceWithStartupRetryAsync(IXinfraProducer<string, string> producer, string key, string value)
    {
        // The first call also waits for the new cluster's first metadata elections.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await producer.ProduceAsync(key, value);
                return;
            }
            catch (XinfraException) when (deadline.Elapsed < Deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static ServiceProvider Client(string bootstrap)
    {
        var json = $$"""
            { "Xinfra": {
                "ApplicationId": "server-it",
                "Clusters": { "ng": { "Kind": "Northguard", "Bootstrap": "{{bootstrap}}", "DefaultPartitions": 2 } },
                "Topics": { "orders": { "Cluster": "ng", "Topic": "orders" } } } }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var services = new ServiceCollection();
        services.AddXinfra(configuration.GetSection("Xinfra")).AddNorthguard();
        return services.BuildServiceProvider();
    }

    private static string ConfigJson(int id, IReadOnlyList<int> ports, string data)
    {
        var members = string.Join(", ", ports.Select((p, i) => $"\"{i + 1}\": \"http://127.0.0.1:{p}\""));
        return $$"""
            { "Northguard": {
                "BrokerId": {{id}}, "Port": {{ports[id - 1]}}, "DataDirectory": "{{data.Replace("\\", "/", StringComparison.Ordinal)}}",
                "Members": { {{members}} },
                "DataPath": { "ReplicaTimeout": "00:00:03", "RereplicationInterval": "00:00:02" } },
              "Logging": { "LogLevel": { "Default": "Information", "Microsoft": "Warning" } } }
            """;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary>One <c>northguard-server</c> child process; disposing kills it if it still runs.</summary>
    private sealed class BrokerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _errors = new();
        private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private BrokerProcess(Process process) => _process = process;

        public Task Listening => _listening.Task;

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public string Errors
        {
            get
            {
                lock (_errors)
                {
                    return _errors.ToString();
                }
            }
        }

        public static BrokerProcess Start(string configFile)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(ServerDll());
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configFile);
            var process = new Process { StartInfo = start };
            var broker = new BrokerProcess(process);
            process.OutputDataReceived += (_, e) => broker.OnOutput(e.Data);
            process.ErrorDataReceived += (_, e) =>
            {
                lock (broker._errors)
                {
                    broker._errors.AppendLine(e.Data);
                }
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return broker;
        }

        public void Kill() => _process.Kill(entireProcessTree: true);

        public async Task<int> TerminateAsync(TimeSpan timeout)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            return await WaitForExitAsync(timeout);
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private void OnOutput(string? line)
        {
            if (line is null)
            {
                _listening.TrySetException(new InvalidOperationException($"northguard-server exited before listening: {Errors}{Output}"));
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                _listening.TrySetResult();
            }
        }

        private static string ServerDll()
        {
            // tests/Xinfra.IntegrationTests/bin/<Configuration>/net10.0/ → src/Xinfra.Northguard.Server/bin/<Configuration>/net10.0/
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = output.Name;
            var configuration = output.Parent!.Name;
            var repository = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(repository, "src", "Xinfra.Northguard.Server", "bin", configuration, framework, "Xinfra.Northguard.Server.dll");
        }
    }
}
