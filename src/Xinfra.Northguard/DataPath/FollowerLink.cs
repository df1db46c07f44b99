using System.Threading.Channels;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath;

/// <summary>
/// The leader's replicate stream to one follower: appends are queued in order and written by one pump (a gRPC stream
/// takes one write at a time); durable offsets reported back feed <see cref="SegmentLeader.OnDurable"/>. Any
/// failure of the stream fails the replica, which seals the segment.
/// </summary>
internal sealed class FollowerLink(DataPathEngine engine, SegmentLeader leader, ulong replica)
{
    private readonly Channel<ReplicateRequest> _queue = Channel.CreateUnbounded<ReplicateRequest>(new UnboundedChannelOptions { SingleReader = true });

    public ulong Replica => replica;

    public void Start(ReplicateOpen open)
    {
        _queue.Writer.TryWrite(new ReplicateRequest { Open = open });
        _ = RunAsync();
    }

    /// <summary>Queues a message; false when the link is closed (sealed or failed) and the message was dropped.</summary>
    public bool Send(ReplicateRequest message) => _queue.Writer.TryWrite(message);

    public void Seal()
    {
        _queue.Writer.TryWrite(new ReplicateRequest { Seal = true });
        _queue.Writer.TryComplete();
    }

    private async Task RunAsync()
    {
        try
        {
            var client = engine.Peer(replica);
            using var call = client.Replicate(cancellationToken: engine.Stopping);
            var reading = ReadAsync(call.ResponseStream);
            var writing = WriteAsync(call.RequestStream);
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            await first.ConfigureAwait(false);
            if (first == reading && !leader.IsSealing)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"Replica {replica} ended the replicate stream."));
            }

            await Task.WhenAll(reading, writing).ConfigureAwait(false);
        }
        catch (Exception e) when (!engine.Stopping.IsCancellationRequested)
        {
            leader.FailReplica(replica, e);
        }
        catch (Exception)
        {
            // Broker stopping: the segment stays open and is sealed by whoever finds its leader gone.
        }
    }

    private async Task WriteAsync(IClientStreamWriter<ReplicateRequest> requests)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(engine.Stopping).ConfigureAwait(false))
        {
            await requests.WriteAsync(message, engine.Stopping).ConfigureAwait(false);
            // The message is serialized into the stream: the pooled batch is no longer read through this write.
            message.Append?.PooledBatch?.Release();
        }

        await requests.CompleteAsync().ConfigureAwait(false);
    }

    private async Task ReadAsync(IAsyncStreamReader<ReplicateResponse> responses)
    {
        await foreach (var response in responses.ReadAllAsync(engine.Stopping).ConfigureAwait(false))
        {
            leader.OnDurable(replica, response.DurableOffset);
        }
    }
}
