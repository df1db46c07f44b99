using System.Runtime.InteropServices;
using Confluent.Kafka;
using Xinfra.Kafka.Native;

namespace Xinfra.Kafka.Testing;

/// <summary>
/// librdkafka's built-in Kafka-protocol mock cluster, running in this process on dynamic 127.0.0.1 ports: a broker
/// for tests that needs no server. It speaks enough of the protocol for producers (idempotent too), consumer groups,
/// offset commits, metadata and topic creation, and can inject faults (brokers down, request errors, leader moves).
/// It keeps little data (a few MiB per partition) and acknowledges from memory: never read its numbers as broker
/// performance.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, KafkaMockCluster> Running = new(StringComparer.Ordinal);
    private readonly IntPtr _owner;
    private IntPtr _cluster;

    private KafkaMockCluster(IntPtr owner, IntPtr cluster, int brokers)
    {
        _owner = owner;
        _cluster = cluster;
        BrokerCount = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(MockNativeMethods.ClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("the mock cluster reported no bootstrap servers");
    }

    /// <summary>The <c>host:port</c> list of the mock brokers, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the cluster has; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers.</summary>
    /// <param name="brokers">The number of brokers, at least 1. <value>The default is 3.</value></param>
    public static KafkaMockCluster Start(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        KafkaNative.EnsureLoaded();

        // The mock cluster is attached to an rd_kafka_t (a producer that never connects) used only for its
        // bookkeeping; its logs are silenced.
        var owner = CreateOwner();
        var cluster = MockNativeMethods.ClusterNew(owner, brokers);
        if (cluster == IntPtr.Zero)
        {
            MockNativeMethods.KafkaDestroy(owner);
            throw new InvalidOperationException("librdkafka could not start a mock cluster");
        }

        var mock = new KafkaMockCluster(owner, cluster, brokers);
        mock.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        MockNativeMethods.SetControllerId(cluster, 1);
        Running[mock.BootstrapServers] = mock;
        return mock;
    }

    /// <summary>
    /// The running mock cluster whose bootstrap list is <paramref name="bootstrapServers"/>, if any. The mock does not
    /// implement the CreateTopics request, so the Kafka transport creates topics on it through this harness.
    /// </summary>
    public static KafkaMockCluster? Find(string? bootstrapServers) =>
        bootstrapServers is not null && Running.TryGetValue(bootstrapServers, out var mock) ? mock : null;

    /// <summary>Creates a topic directly in the mock (no admin request).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        Check(MockNativeMethods.TopicCreate(Cluster, topic, partitions, replicationFactor), "create topic " + topic);
    }

    /// <summary>Makes every later request about <paramref name="topic"/> fail with <paramref name="error"/>.</summary>
    public void SetTopicError(string topic, ErrorCode error)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        MockNativeMethods.TopicSetError(Cluster, topic, (int)error);
    }

    /// <summary>Makes the next requests of type <paramref name="apiKey"/> fail, one error per request, in order.</summary>
    public void PushRequestErrors(KafkaApiKey apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = new int[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        MockNativeMethods.PushRequestErrorsArray(Cluster, (short)apiKey, (nuint)codes.Length, codes);
    }

    /// <summary>Drops the errors still queued for requests of type <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(KafkaApiKey apiKey) => MockNativeMethods.ClearRequestErrors(Cluster, (short)apiKey);

    /// <summary>Moves the leadership of a partition to <paramref name="brokerId"/> (-1: no leader).</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(MockNativeMethods.PartitionSetLeader(Cluster, topic, partition, brokerId), "set leader of " + topic);

    /// <summary>Takes a broker down: its connections are closed and new ones refused.</summary>
    public void SetBrokerDown(int brokerId) => Check(MockNativeMethods.BrokerSetDown(Cluster, brokerId), "set broker down");

    /// <summary>Brings a broker back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(MockNativeMethods.BrokerSetUp(Cluster, brokerId), "set broker up");

    /// <summary>Delays every response of a broker by <paramref name="rtt"/>.</summary>
    public void SetBrokerRtt(int brokerId, TimeSpan rtt) =>
        Check(MockNativeMethods.BrokerSetRtt(Cluster, brokerId, (int)rtt.TotalMilliseconds), "set broker rtt");

    /// <summary>How long a new consumer group waits for more members before its first assignment.</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        MockNativeMethods.GroupInitialRebalanceDelayMs(Cluster, (int)delay.TotalMilliseconds);

    /// <summary>Stops the cluster and closes its listeners.</summary>
    public void Dispose()
    {
        var cluster = Interlocked.Exchange(ref _cluster, IntPtr.Zero);
        if (cluster == IntPtr.Zero)
        {
            return;
        }

        Running.TryRemove(BootstrapServers, out _);
        MockNativeMethods.ClusterDestroy(cluster);
        MockNativeMethods.KafkaDestroy(_owner);
    }

    private IntPtr Cluster
    {
        get
        {
            var cluster = Volatile.Read(ref _cluster);
            ObjectDisposedException.ThrowIf(cluster == IntPtr.Zero, this);
            return cluster;
        }
    }

    private static IntPtr CreateOwner()
    {
        var errors = new byte[512];
        var conf = MockNativeMethods.ConfNew();
        if (MockNativeMethods.ConfSet(conf, "log_level", "0", errors, (nuint)errors.Length) != 0
            || MockNativeMethods.ConfSet(conf, "client.id", "xinfra-mock-cluster", errors, (nuint)errors.Length) != 0)
        {
            MockNativeMethods.ConfDestroy(conf);
            throw new InvalidOperationException("mock cluster: " + ErrorText(errors));
        }

        // rd_kafka_new takes ownership of conf on success only.
        var rk = MockNativeMethods.KafkaNew(0, conf, errors, (nuint)errors.Length);
        if (rk == IntPtr.Zero)
        {
            MockNativeMethods.ConfDestroy(conf);
            throw new InvalidOperationException("mock cluster: " + ErrorText(errors));
        }

        return rk;
    }

    private static string ErrorText(byte[] errors)
    {
        var end = Array.IndexOf(errors, (byte)0);
        return System.Text.Encoding.UTF8.GetString(errors, 0, end < 0 ? errors.Length : end);
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"mock cluster: {what} failed: {(ErrorCode)error}");
        }
    }
}
