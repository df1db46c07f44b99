using System.Diagnostics;
using System.Text;
using Xinfra.Kafka.Tests.Infrastructure;
using static Xinfra.Kafka.Tests.Infrastructure.TestRecords;

namespace Xinfra.Kafka.Tests.Interop;

/// <summary>Cross-checks the record mapping with kcat, a client that shares nothing with Xinfra but librdkafka's wire format.</summary>
public sealed class KcatCrossCheckTests(KafkaClusterFixture cluster) : IClassFixture<KafkaClusterFixture>
{
    [KcatFact]
    public async Task XinfraProduces_KcatReadsKeyValueAndHeaders()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);
        await transport.ProduceAsync(topic, Outgoing("key-a", "value-a", ("trace", "t1"), ("tenant", "blue")), CancellationToken.None);
        await transport.ProduceAsync(topic, Outgoing(null, "value-b"), CancellationToken.None);

        var output = await RunKcatAsync(
            ["-C", "-b", cluster.Bootstrap, "-t", topic.Name, "-o", "beginning", "-c", "2", "-e",
             "-f", "%K|%k|%s|%h\\n"],
            stdin: null);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["5|key-a|value-a|trace=t1,tenant=blue", "-1||value-b|"], lines);
    }

    [KcatFact]
    public async Task KcatProduces_XinfraReadsKeyValueAndHeaders()
    {
        await using var transport = cluster.CreateTransport();
        var topic = await cluster.CreateTopicAsync(transport, partitions: 1);

        await RunKcatAsync(
            ["-P", "-b", cluster.Bootstrap, "-t", topic.Name, "-K", ":", "-H", "origin=kcat", "-H", "n=1"],
            stdin: "k1:v1\nk2:v2\n");

        await using var consumer = transport.CreateConsumer(Spec(topic));
        var records = await ReadAsync(consumer, 2);
        Assert.Equal(["k1=v1", "k2=v2"], records.Select(r => $"{Text(r.Key)}={Text(r.Value)}"));
        Assert.All(records, r => Assert.Equal(["origin=kcat", "n=1"], r.Headers.Select(h => $"{h.Name}={Text(h.Value)}")));
    }

    private static async Task<string> RunKcatAsync(string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo(Kcat.Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("kcat did not finish: " + await errors);
        }

        Assert.True(process.ExitCode == 0, $"kcat exited with {process.ExitCode}: {await errors}");
        return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(await output));
    }
}
