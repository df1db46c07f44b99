using Xinfra.InMemory;
using Xinfra.Transport;

namespace Xinfra.Client.Tests.Support;

/// <summary>
/// A "Northguard" transport for tests: an in-memory cluster whose produces fail while <see cref="Failing"/> is set,
/// with a transient error, as an unreachable cluster would.
/// </summary>
internal sealed class FlakyTransportFactory(InMemoryClusters clusters) : ITransportFactory
{
    public static volatile bool Failing;

    public static int Attempts;

    public ClusterKind Kind => ClusterKind.Northguard;

    public ITransport Create(TransportContext context) =>
        new FlakyTransport(new InMemoryTransport(context.ClusterName, clusters.Get(context.Cluster.Bootstrap!)));

    private sealed class FlakyTransport(InMemoryTransport inner) : ITransport
    {
        public ClusterKind Kind => ClusterKind.Northguard;

        public string Cluster => inner.Cluster;

        public ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Attempts);
            return Failing
                ? ValueTask.FromException<TransportReceipt>(new ClusterUnavailableException($"cluster '{Cluster}' is unreachable") { Cluster = Cluster, Topic = topic.LogicalTopic })
                : inner.ProduceAsync(topic, record, cancellationToken);
        }

        public void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered) =>
            inner.Produce(topic, record, onDelivered);

        public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ITransportConsumer CreateConsumer(ConsumerSpec spec) => inner.CreateConsumer(spec);

        public ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken) => inner.EnsureTopicAsync(topic, cancellationToken);

        public ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken) =>
            Failing
                ? ValueTask.FromException<IReadOnlyList<PartitionInfo>>(new ClusterUnavailableException($"cluster '{Cluster}' is unreachable") { Cluster = Cluster })
                : inner.DescribeTopicAsync(topic, cancellationToken);

        public ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken) =>
            inner.DescribeGroupAsync(groupId, topic, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
