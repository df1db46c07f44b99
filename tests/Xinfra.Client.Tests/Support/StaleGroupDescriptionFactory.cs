using Xinfra.InMemory;
using Xinfra.Transport;

namespace Xinfra.Client.Tests.Support;

/// <summary>
/// A "Northguard" transport over an in-memory cluster whose <see cref="ITransport.DescribeGroupAsync"/> reads the
/// committed positions before it counts the members, as a cluster that answers the two from separate calls does: the
/// positions returned are those of the previous call, the member count is current. A member that commits and leaves
/// between the two is counted as gone while its last commit is missing.
/// </summary>
internal sealed class StaleGroupDescriptionFactory(InMemoryClusters clusters) : ITransportFactory
{
    public ClusterKind Kind => ClusterKind.Northguard;

    public ITransport Create(TransportContext context) =>
        new StaleTransport(new InMemoryTransport(context.ClusterName, clusters.Get(context.Cluster.Bootstrap!)));

    private sealed class StaleTransport(InMemoryTransport inner) : ITransport
    {
        private readonly Dictionary<string, IReadOnlyList<TopicPartitionOffset>> _previous = [];

        public ClusterKind Kind => ClusterKind.Northguard;

        public string Cluster => inner.Cluster;

        public ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken) =>
            inner.ProduceAsync(topic, record, cancellationToken);

        public void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered) =>
            inner.Produce(topic, record, onDelivered);

        public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ITransportConsumer CreateConsumer(ConsumerSpec spec) => inner.CreateConsumer(spec);

        public ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken) => inner.EnsureTopicAsync(topic, cancellationToken);

        public ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken) =>
            inner.DescribeTopicAsync(topic, cancellationToken);

        public async ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken)
        {
            var now = await inner.DescribeGroupAsync(groupId, topic, cancellationToken);
            IReadOnlyList<TopicPartitionOffset> positions;
            lock (_previous)
            {
                var key = groupId + "|" + topic.Name;
                positions = _previous.GetValueOrDefault(key) ?? [.. now.Committed.Select(c => new TopicPartitionOffset(c.TopicPartition, -1))];
                _previous[key] = now.Committed;
            }

            return now with { Committed = positions };
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
