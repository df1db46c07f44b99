using System.Globalization;
using System.Security.Cryptography;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Security;

namespace Xinfra.Northguard.Tests.Monitoring;

public sealed class BrokerMetricsEndpointTests
{
    [Fact]
    public async Task MetricsEndpoint_AfterProducing_ServesWalBytesFsyncHistogramAndVnodeLeaders_WithoutSecrets()
    {
        string clusterToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        string wrongToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(new NorthguardClusterOptions
        {
            Brokers = 1,
            MetricsPort = 0,
            Security = new BrokerSecurityOptions { ClusterToken = clusterToken },
        });
        var broker = cluster.Broker(1);
        Assert.NotNull(broker.MetricsEndpoint);
        Assert.StartsWith("http://127.0.0.1:", broker.MetricsEndpoint, StringComparison.Ordinal);
        Assert.NotEqual(new Uri(broker.Endpoint).Port, new Uri(broker.MetricsEndpoint).Port);

        string[] endpoints = [broker.Endpoint];
        using (var metadata = new NorthguardMetadataClient(new NorthguardMetadataClientOptions { Bootstrap = endpoints, Security = new NorthguardClientSecurity { Token = clusterToken } }))
        {
            await metadata.CreateTopicAsync("metered", StoragePolicy.Default with { ReplicationFactor = 1 }, 1);
        }

        await using (var producer = new NorthguardProducerClient(new NorthguardClientOptions { Endpoints = endpoints, Security = new NorthguardClientSecurity { Token = clusterToken } }))
        {
            for (int i = 0; i < 20; i++)
            {
                await producer.ProduceAsync("metered", new NorthguardRecord(new byte[] { (byte)i }, new byte[100]));
            }
        }

        await using (var intruder = new NorthguardProducerClient(new NorthguardClientOptions
        {
            Endpoints = endpoints,
            Security = new NorthguardClientSecurity { Token = wrongToken },
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        }))
        {
            await Assert.ThrowsAnyAsync<XinfraException>(() => intruder.ProduceAsync("metered", new NorthguardRecord(new byte[] { 1 }, new byte[] { 2 })).AsTask());
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string text = "";
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await http.GetAsync(new Uri(broker.MetricsEndpoint), deadline.Token);
            response.EnsureSuccessStatusCode();
            Assert.Equal(new Version(1, 1), response.Version);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
            text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (Sample(text, "xinfra_northguard_metadata_vnode_leaders", "broker=\"1\"") > 0 && Sample(text, "xinfra_security_denied_total", "") > 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }

        Assert.Contains("# TYPE xinfra_northguard_storage_wal_bytes_total counter", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "xinfra_northguard_storage_wal_bytes_total", "") >= 20 * 100, text);
        Assert.Contains("# TYPE xinfra_northguard_storage_fsync_duration_milliseconds histogram", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "xinfra_northguard_storage_fsync_duration_milliseconds_count", "file=\"wal\"") > 0, text);
        Assert.Equal(
            Sample(text, "xinfra_northguard_storage_fsync_duration_milliseconds_count", "file=\"wal\""),
            Sample(text, "xinfra_northguard_storage_fsync_duration_milliseconds_bucket", "file=\"wal\",le=\"+Inf\""));
        // The produce stage histograms' `records` weight is not a label (one series, not one per batch size).
        Assert.True(Sample(text, "xinfra_northguard_produce_leader_committed_milliseconds_count", "") >= 20, text);
        Assert.DoesNotContain("records=", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE xinfra_northguard_metadata_vnode_leaders gauge", text, StringComparison.Ordinal);
        // One broker leads every vnode (64 by default).
        Assert.Equal(64, Sample(text, "xinfra_northguard_metadata_vnode_leaders", "broker=\"1\""));
        Assert.DoesNotContain(clusterToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("token=", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Bearer", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MetricsPort_Null_NoEndpoint()
    {
        await using var cluster = await NorthguardCluster.StartAsync(new NorthguardClusterOptions { Brokers = 1 });
        Assert.Null(cluster.Broker(1).MetricsEndpoint);
    }

    /// <summary>The value of the first sample of <paramref name="name"/> whose labels contain <paramref name="label"/>; -1 if none.</summary>
    private static double Sample(string text, string name, string label)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal)))
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            string labels = line[name.Length..space];
            if (labels.Contains(label, StringComparison.Ordinal))
            {
                return double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }
}
