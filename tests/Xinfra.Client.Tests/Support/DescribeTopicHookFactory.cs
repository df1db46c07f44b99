using Xinfra.InMemory;
using Xinfra.Transport;

namespace Xinfra.Client.Tests.Support;

/// <summary>
/// A one-shot action run right before a transport describes a given topic (a point inside a cutover's scan) or
/// creates a consumer of it in a given group (after a member decided what to read, before it joins).
/// </summary>
internal sealed class DescribeTopicHook
{
    private Action? _action;
    private string _topic = string.Empty;
    private string? _consumerGroup;

    /// <summary>Arms the action: before a describe of <paramref name="topic"/>, or with <paramref name="consumerGroup"/> before a consumer of that group is created.</summary>
    public void Arm(string topic, Action action, string? consumerGroup = null)
    {
        _topic = topic;
        _consumerGroup = consumerGroup;
        _action = action;
    }

    public void Before(string topic, string? consumerGroup = null)
    {
        if (topic == _topic && consumerGroup == _consumerGroup && Interlocked.Exchange(ref _action, null) is { } action)
        {
            action();
        }
    }
}

/// <summary>A "Northguard" transport over an in-memory cluster that runs <see cref="DescribeTopicHook"/> before describing a topic or creating a consumer.</summary>
internal sealed class DescribeTopicHookFactory(InMemoryClusters clusters, DescribeTopicHook hook) : ITransportFactory
{
    public ClusterKind Kind => ClusterKind.Northguard;

    public ITransport Create(TransportContext context) =>
        new HookedTransport(new InMemoryTransport(context.ClusterName, clusters.Get(context.Cluster.Bootstrap!)), hook);

    private sealed class HookedTransport(InMemoryTransport inner, DescribeTopicHook hook) : ITransport
    {
        public ClusterKind Kind => ClusterKind.Northguard;

        public string Cluster => inner.Cluster;

        public ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken) =>
            inner.ProduceAsync(topic, record, cancellationToken);

        public void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered) =>
            inner.Produce(topic, record, onDelivered);

        public ValueTask FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ITransportConsumer CreateConsumer(ConsumerSpec spec)
        {
            hook.Before(spec.Topics[0].Name, spec.GroupId);
            return inner.CreateConsumer(spec);
        }

        public ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken) => inner.EnsureTopicAsync(topic, cancellationToken);

        public ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
        {
            hook.Before(topic.Name);
            return inner.DescribeTopicAsync(topic, cancellationToken);
        }

        public ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken) =>
            inner.DescribeGroupAsync(groupId, topic, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
