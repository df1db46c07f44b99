using Grpc.Core;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Metadata.Raft.Hosting;
using Wire = Xinfra.Northguard.Protocol.Raft;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>
/// <see cref="IRaftTransport"/> over gRPC: one persistent HTTP/2 channel per peer broker, at most one batch in
/// flight per peer, and batches queued meanwhile merged into the next call. <see cref="Send"/> never blocks. A peer
/// that is down or slow loses the batch (counted in <see cref="MessagesDropped"/>): Raft retries.
/// </summary>
public sealed partial class GrpcRaftTransport : IRaftTransport, IAsyncDisposable
{
    private readonly ulong _self;
    private readonly MetadataMembership _membership;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<ulong, Peer> _peers = [];
    private readonly Lock _peersGate = new();
    private long _batchesSent;
    private long _messagesSent;
    private long _messagesDropped;

    /// <summary>Creates the transport of broker <paramref name="self"/>.</summary>
    public GrpcRaftTransport(ulong self, MetadataMembership membership, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(membership);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _self = self;
        _membership = membership;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>How peer channels are opened (TLS, cluster token). <value>The default is plaintext.</value></summary>
    public Security.ChannelSecurity Channels { get; init; } = Security.ChannelSecurity.Plaintext;

    /// <summary>How long one call may take before its batch is dropped. <value>The default is 2 s.</value></summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Queued messages per peer beyond which new ones are dropped. <value>The default is 100 000.</value></summary>
    public int MaxQueuedMessages { get; init; } = 100_000;

    /// <summary>Calls that delivered a batch.</summary>
    public long BatchesSent => Interlocked.Read(ref _batchesSent);

    /// <summary>Messages delivered.</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    /// <summary>Messages dropped (peer down, unknown endpoint, queue full).</summary>
    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    /// <inheritdoc />
    public void Send(ulong broker, IReadOnlyList<GroupMessage> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var wire = new Wire.GroupMessage[batch.Count];
        for (int i = 0; i < wire.Length; i++)
        {
            wire[i] = RaftWireCodec.ToWire(batch[i]);
        }

        Enqueue(broker, wire, null);
    }

    /// <summary>Sends a gossip heartbeat to <paramref name="broker"/> (with any queued messages).</summary>
    public void SendGossip(ulong broker, Wire.Gossip gossip) => Enqueue(broker, [], gossip);

    private void Enqueue(ulong broker, Wire.GroupMessage[] messages, Wire.Gossip? gossip)
    {
        if (_stopping.IsCancellationRequested || broker == _self)
        {
            return;
        }

        Peer peer;
        lock (_peersGate)
        {
            if (!_peers.TryGetValue(broker, out peer!))
            {
                _peers[broker] = peer = new Peer(broker, Channels);
            }
        }

        bool start;
        lock (peer.Gate)
        {
            if (peer.Queued.Count + messages.Length > MaxQueuedMessages)
            {
                Interlocked.Add(ref _messagesDropped, messages.Length);
                return;
            }

            peer.Queued.AddRange(messages);
            peer.Gossip = gossip ?? peer.Gossip;
            start = !peer.Sending;
            peer.Sending = true;
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(peer));
        }
    }

    private async Task DrainAsync(Peer peer)
    {
        while (true)
        {
            var batch = new Wire.RaftBatch { From = _self };
            lock (peer.Gate)
            {
                if ((peer.Queued.Count == 0 && peer.Gossip is null) || _stopping.IsCancellationRequested)
                {
                    peer.Sending = false;
                    return;
                }

                batch.Messages.AddRange(peer.Queued);
                batch.Gossip = peer.Gossip;
                peer.Queued.Clear();
                peer.Gossip = null;
            }

            await SendBatchAsync(peer, batch).ConfigureAwait(false);
        }
    }

    private async Task SendBatchAsync(Peer peer, Wire.RaftBatch batch)
    {
        var client = peer.Client(_membership.GetEndpoint(peer.Id));
        if (client is null)
        {
            Interlocked.Add(ref _messagesDropped, batch.Messages.Count);
            return;
        }

        using var timeout = new CancellationTokenSource(CallTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
        try
        {
            await client.SendAsync(batch, cancellationToken: linked.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _batchesSent);
            Interlocked.Add(ref _messagesSent, batch.Messages.Count);
        }
        catch (RpcException e)
        {
            Interlocked.Add(ref _messagesDropped, batch.Messages.Count);
            LogSendFailed(_logger, peer.Id, batch.Messages.Count, e.StatusCode);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Add(ref _messagesDropped, batch.Messages.Count);
        }
    }

    /// <summary>Stops sending and closes every channel.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        lock (_peersGate)
        {
            foreach (var peer in _peers.Values)
            {
                peer.Dispose();
            }
        }

        // _stopping is deliberately not disposed: a drain task may still be linking to its token.
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Raft batch to broker {Broker} dropped ({Count} messages): {Status}")]
    private static partial void LogSendFailed(ILogger logger, ulong broker, int count, StatusCode status);
}
