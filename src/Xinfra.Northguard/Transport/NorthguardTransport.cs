using Grpc.Core;
using Xinfra.Internal;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;
using Xinfra.Northguard.Storage;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport;

/// <summary>
/// The Xinfra transport for one Northguard cluster: produce through <see cref="NorthguardProducerClient"/> (acked once
/// every replica fsynced), topics through the metadata client, and range consumers. A record's partition is its range
/// id. Keys map into the 64-bit key space; a null key is stored as an empty key.
/// </summary>
public sealed partial class NorthguardTransport : ITransport
{
    private readonly TransportContext _context;
    private readonly NorthguardClientOptions _clientOptions;
    private readonly NorthguardProducerClient _producer;
    private readonly NorthguardMetadataClient _metadata;
    private readonly NorthguardConsumerClient _reader;
    private readonly ClientConnections _connections;
    private readonly PendingOperations _pending = new();
    private readonly NorthguardGroupClient _groups;
    private readonly Security.ChannelSecurity _groupChannels;

    internal NorthguardTransport(TransportContext context, IReadOnlyList<string> endpoints, Security.NorthguardClientSecurity? security = null)
    {
        _context = context;
        Settings = NorthguardTransportSettings.From(context);
        _clientOptions = new NorthguardClientOptions
        {
            Endpoints = endpoints,
            MaxRecordBytes = context.Cluster.MaxRecordBytes,
            TimeProvider = context.TimeProvider,
            Linger = Settings.ProducerLinger,
            BatchMaxBytes = Settings.ProducerBatchMaxBytes,
            ConsumeCreditRecords = Settings.ConsumerCreditRecords,
            ConsumeCreditBytes = Settings.ConsumerCreditBytes,
            RetryDelay = Settings.RetryBackoff,
            MaxRetries = Settings.Retries,
            Security = security,
        };
        _producer = new NorthguardProducerClient(_clientOptions);
        _metadata = new NorthguardMetadataClient(new NorthguardMetadataClientOptions { Bootstrap = endpoints, TimeProvider = context.TimeProvider, Security = security });
        _reader = new NorthguardConsumerClient(_clientOptions);
        _connections = new ClientConnections(_clientOptions);
        _groups = new NorthguardGroupClient(endpoints, context.ClusterName, context.TimeProvider, _groupChannels = Security.ChannelSecurity.ForClient(security));
    }

    /// <inheritdoc />
    public ClusterKind Kind => ClusterKind.Northguard;

    /// <inheritdoc />
    public string Cluster => _context.ClusterName;

    internal NorthguardClientOptions ClientOptions => _clientOptions;

    /// <summary>The cluster's transport settings (from <c>Xinfra:Clusters:*:Settings</c>).</summary>
    public NorthguardTransportSettings Settings { get; }

    internal NorthguardConsumerClient Reader => _reader;

    internal NorthguardGroupClient Groups => _groups;

    internal TimeProvider Time => _context.TimeProvider;

    /// <inheritdoc />
    public async ValueTask<TransportReceipt> ProduceAsync(PhysicalTopic topic, OutgoingRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var headers = new RecordHeader[record.Headers.Count];
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = new RecordHeader(record.Headers[i].Name, record.Headers[i].Value);
        }

        var timestamp = record.Timestamp.ToUnixTimeMilliseconds();
        try
        {
            var receipt = await _producer.ProduceAsync(topic.Name, new NorthguardRecord(record.Key ?? default, record.Value ?? default, headers, timestamp), cancellationToken).ConfigureAwait(false);
            return new TransportReceipt(Cluster, new TopicPartitionOffset(new TopicPartition(topic.Name, (long)receipt.RangeId), receipt.Offset), record.Timestamp);
        }
        catch (XinfraException ex) when (ex.Topic is null || ex.Cluster is null)
        {
            throw Rethrow(ex, topic);
        }
    }

    /// <inheritdoc />
    public void Produce(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered)
    {
        ArgumentNullException.ThrowIfNull(onDelivered);
        _pending.Started();
        _ = DeliverAsync(topic, record, onDelivered);
    }

    private async Task DeliverAsync(PhysicalTopic topic, OutgoingRecord record, Action<TransportReceipt, XinfraException?> onDelivered)
    {
        try
        {
            var receipt = await ProduceAsync(topic, record, CancellationToken.None).ConfigureAwait(false);
            onDelivered(receipt, null);
        }
        catch (XinfraException ex)
        {
            onDelivered(default, ex);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or ObjectDisposedException)
        {
            onDelivered(default, new ProduceException($"Topic '{topic.LogicalTopic}' on cluster '{Cluster}': produce failed: {ex.Message}", ex) { Topic = topic.LogicalTopic, Cluster = Cluster });
        }
        finally
        {
            _pending.Finished();
        }
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => _pending.WhenIdleAsync(cancellationToken);

    /// <inheritdoc />
    public ITransportConsumer CreateConsumer(ConsumerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Topics.Count != 1)
        {
            throw new ConsumeException($"Cluster '{Cluster}': a Northguard consumer reads one topic; got {spec.Topics.Count}.") { Cluster = Cluster };
        }

        return new NorthguardTransportConsumer(this, spec);
    }

    /// <inheritdoc />
    public async ValueTask<bool> EnsureTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        try
        {
            var policy = StoragePolicy.Default with { ReplicationFactor = Settings.ReplicationFactor, RetentionTime = Settings.Retention };
            await _metadata.CreateTopicAsync(topic.Name, policy, Math.Max(1, topic.Partitions), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TopicExistsException)
        {
            return false;
        }
        catch (AuthorizationException denied) when (!denied.IsAuthenticationFailure)
        {
            // Applications may not create topics when security is on; one that exists (and that they may describe) is fine.
            try
            {
                await _metadata.DescribeTopicAsync(topic.Name, cancellationToken).ConfigureAwait(false);
                return false;
            }
            catch (AuthorizationException describeDenied)
            {
                throw Rethrow(describeDenied, topic);
            }
            catch (XinfraException)
            {
                throw Rethrow(denied, topic);
            }
        }
        catch (XinfraException ex) when (ex.Topic is null || ex.Cluster is null)
        {
            throw Rethrow(ex, topic);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PartitionInfo>> DescribeTopicAsync(PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var ranges = await _reader.GetRangesAsync(topic.Name, cancellationToken).ConfigureAwait(false);
        var result = new List<PartitionInfo>(ranges.Count);
        foreach (var range in ranges)
        {
            result.Add(new PartitionInfo(new TopicPartition(topic.Name, (long)range.RangeId), await WatermarksAsync(topic, range.RangeId, cancellationToken).ConfigureAwait(false)));
        }

        return result;
    }

    /// <inheritdoc />
    public async ValueTask<GroupDescription> DescribeGroupAsync(string groupId, PhysicalTopic topic, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topic);

        // Members first, positions after: a member leaves only after its last commit, so when the count says none is
        // left the positions read next are final (the migration barrier relies on it).
        var group = await _groups.DescribeAsync(groupId, topic.Name, cancellationToken).ConfigureAwait(false);
        var ranges = await _reader.GetRangesAsync(topic.Name, cancellationToken).ConfigureAwait(false);
        var committed = new List<TopicPartitionOffset>(ranges.Count);
        foreach (var range in ranges)
        {
            var position = await _reader.FetchPositionAsync(groupId, topic.Name, range.RangeId, cancellationToken).ConfigureAwait(false);
            committed.Add(new TopicPartitionOffset(new TopicPartition(topic.Name, (long)range.RangeId), position ?? -1));
        }

        return new GroupDescription(groupId, group.MemberCount, committed);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await _producer.DisposeAsync().ConfigureAwait(false);
        await _reader.DisposeAsync().ConfigureAwait(false);
        _metadata.Dispose();
        _connections.Dispose();
        _groups.Dispose();
        _groupChannels.Dispose();
    }

    /// <summary>
    /// The offset after the last record of a range that is durable on every replica: a sealed last segment's end, or
    /// for the open segment the smallest durable end its replicas report.
    /// </summary>
    internal async Task<long> HighWatermarkAsync(PhysicalTopic topic, ulong rangeId, CancellationToken cancellationToken) =>
        (await WatermarksAsync(topic, rangeId, cancellationToken).ConfigureAwait(false)).High;

    /// <summary>
    /// The range's watermarks: low is the oldest offset retention kept (the end of the last deleted segment), high the offset after
    /// the last record durable on every replica.
    /// </summary>
    internal async Task<WatermarkOffsets> WatermarksAsync(PhysicalTopic topic, ulong rangeId, CancellationToken cancellationToken)
    {
        var route = await _connections.RouteAsync(topic.Name, cancellationToken).ConfigureAwait(false);
        var low = route.Ranges.Where(r => r.RangeId == rangeId).SelectMany(r => r.Segments).Where(s => s.Deleted).Select(s => s.EndOffset).DefaultIfEmpty(0).Max();
        return new WatermarkOffsets(low, await HighWatermarkAsync(route, topic, rangeId, cancellationToken).ConfigureAwait(false));
    }

    private async Task<long> HighWatermarkAsync(Protocol.RouteResponse route, PhysicalTopic topic, ulong rangeId, CancellationToken cancellationToken)
    {
        foreach (var range in route.Ranges)
        {
            if (range.RangeId != rangeId)
            {
                continue;
            }

            if (range.Segments.Count == 0)
            {
                return 0;
            }

            var last = range.Segments.MaxBy(s => s.Sequence)!;
            var sealedEnd = Math.Max(0, range.Segments.Where(s => s.Sealed).Select(s => s.EndOffset).DefaultIfEmpty(0).Max());
            if (last.Sealed)
            {
                return sealedEnd;
            }

            var storeId = DataPath.StoreIds.Of(new Metadata.Model.SegmentId(new Metadata.Ring.RangeId(rangeId), last.Sequence));
            long? durable = null;
            foreach (var replica in last.Replicas)
            {
                if (ClientConnections.EndpointOf(route, replica) is not { } endpoint)
                {
                    continue;
                }

                try
                {
                    var state = await _connections.For(endpoint).GetReplicaStateAsync(new Protocol.ReplicaStateRequest { StoreSegmentId = storeId }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (state.Exists)
                    {
                        durable = Math.Min(durable ?? long.MaxValue, state.DurableEndOffset);
                    }
                }
                catch (RpcException) when (!cancellationToken.IsCancellationRequested)
                {
                    // An unreachable replica gets the segment sealed; the others still bound what is readable.
                }
            }

            return Math.Max(sealedEnd, durable ?? sealedEnd);
        }

        throw new UnknownTopicException($"Topic '{topic.LogicalTopic}': range {rangeId} of '{topic.Name}' does not exist on Northguard cluster '{Cluster}'.") { Topic = topic.LogicalTopic, Cluster = Cluster };
    }

    private XinfraException Rethrow(XinfraException ex, PhysicalTopic topic) => ex switch
    {
        AuthorizationException a => new AuthorizationException($"Topic '{topic.LogicalTopic}' on Northguard cluster '{Cluster}': {a.Message}", a)
        {
            Topic = topic.LogicalTopic,
            Cluster = Cluster,
            Principal = a.Principal,
            Operation = a.Operation,
            IsAuthenticationFailure = a.IsAuthenticationFailure,
        },
        UnknownTopicException => new UnknownTopicException($"Topic '{topic.LogicalTopic}': physical topic '{topic.Name}' does not exist on Northguard cluster '{Cluster}'.") { Topic = topic.LogicalTopic, Cluster = Cluster },
        _ => new ProduceException($"Topic '{topic.LogicalTopic}' on Northguard cluster '{Cluster}': {ex.Message}", ex, ex.IsTransient) { Topic = topic.LogicalTopic, Cluster = Cluster },
    };
}
