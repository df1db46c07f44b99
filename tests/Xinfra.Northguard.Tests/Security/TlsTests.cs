using System.Collections.Concurrent;
using System.Text;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Model;
using static Xinfra.Northguard.Tests.Security.SecurityTestKit;

namespace Xinfra.Northguard.Tests.Security;

public sealed class TlsTests(SecureClusterFixture secure) : IClassFixture<SecureClusterFixture>
{
    [Fact]
    public async Task TlsCluster_TokenWithProduceAndConsumeAcl_ProducesAndConsumes()
    {
        string topic = await secure.CreateTopicAsync("tls");
        var token = await secure.OnboardAsync("app-orders", topic, AclOperations.Produce | AclOperations.Consume);
        await using var producer = new NorthguardProducerClient(secure.ClientOptions(token.Token));
        for (int i = 0; i < 30; i++)
        {
            await producer.ProduceAsync(topic, Record($"v{i}"));
        }

        await using var consumer = new NorthguardConsumerClient(secure.ClientOptions(token.Token));
        var records = await ReadAsync(consumer, topic, 30);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"v{i}"), records.Select(r => Encoding.UTF8.GetString(r.Record.Value.Span)));
        Assert.All(secure.Cluster.Brokers, b => Assert.StartsWith("https://", b.Endpoint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlaintextClient_TlsListener_IsRefused()
    {
        string topic = await secure.CreateTopicAsync("plain");
        var token = await secure.OnboardAsync("app-plain", topic, AclOperations.Produce);
        var options = new NorthguardClientOptions
        {
            Endpoints = [.. secure.Cluster.Brokers.Select(b => new Uri(b.Endpoint).Authority)],
            Security = new Xinfra.Northguard.Security.NorthguardClientSecurity { Token = token.Token },
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        };
        await using var producer = new NorthguardProducerClient(options);
        var error = await Assert.ThrowsAnyAsync<XinfraException>(() => producer.ProduceAsync(topic, Record("never")).AsTask());
        Assert.DoesNotContain(token.Token, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertificateRotated_DuringTraffic_NewConnectionsSeeNewCertificateAndNoAckedRecordIsLost()
    {
        string topic = await secure.CreateTopicAsync("rotate");
        var token = await secure.OnboardAsync("app-rotate", topic, AclOperations.Produce | AclOperations.Consume);
        string before = await ServerThumbprintAsync(secure.Cluster.Brokers[0].Endpoint);

        var acked = new ConcurrentDictionary<long, string>();
        using var stop = new CancellationTokenSource();
        await using var producer = new NorthguardProducerClient(secure.ClientOptions(token.Token));
        var producing = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                var receipt = await producer.ProduceAsync(topic, Record($"r{i}"));
                acked[receipt.Offset] = $"r{i}";
            }
        });
        await EventuallyAsync(() => Task.FromResult(acked.Count >= 20 || producing.IsCompleted), TimeSpan.FromSeconds(30), "20 records are acknowledged");

        string rotated = secure.Certificates.IssueLeaf("broker", secure.Certificates.BrokerCertificateFile, secure.Certificates.BrokerKeyFile);
        Assert.NotEqual(before, rotated);
        foreach (var broker in secure.Cluster.Brokers)
        {
            await EventuallyAsync(async () => await ServerThumbprintAsync(broker.Endpoint) == rotated, TimeSpan.FromSeconds(30),
                $"broker {broker.BrokerId} presents the rotated certificate");
        }

        int atRotation = acked.Count;
        await EventuallyAsync(() => Task.FromResult(acked.Count >= atRotation + 20 || producing.IsCompleted), TimeSpan.FromSeconds(30), "20 more records are acknowledged");
        await using (var fresh = new NorthguardProducerClient(secure.ClientOptions(token.Token)))
        {
            var receipt = await fresh.ProduceAsync(topic, Record("fresh"));
            acked[receipt.Offset] = "fresh";
        }

        await stop.CancelAsync();
        await producing;

        await using var consumer = new NorthguardConsumerClient(secure.ClientOptions(token.Token));
        var records = await ReadAsync(consumer, topic, acked.Count);
        var read = records.ToDictionary(r => r.Offset, r => Encoding.UTF8.GetString(r.Record.Value.Span));
        Assert.All(acked, a => Assert.Equal(a.Value, read.GetValueOrDefault(a.Key)));
    }
}
