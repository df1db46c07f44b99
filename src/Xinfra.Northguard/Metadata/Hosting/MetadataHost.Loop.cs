using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Metadata.Network;
using Xinfra.Northguard.Metadata.Raft;
using Wire = Xinfra.Northguard.Protocol.Raft;

namespace Xinfra.Northguard.Metadata.Hosting;

/// <summary>The loop: items, then one <c>ProcessReady</c> per run; ticks; received batches; gossip.</summary>
public sealed partial class MetadataHost
{
    private async Task RunLoopAsync()
    {
        var reader = _inbox.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        item();
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        LogItemFailed(_logger, e, BrokerId);
                    }
                }

                for (int round = 0; round < 4 && _host!.ProcessReady() > 0; round++)
                {
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A WAL write or fsync failed: the broker must not go on acknowledging anything.
            LogLoopFailed(_logger, e, BrokerId);
            throw;
        }
    }

    private async Task RunTickerAsync()
    {
        using var timer = new PeriodicTimer(_options.TickPeriod, _context.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                Post(OnTick);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private void OnTick()
    {
        _host!.Tick();
        Directory.Tick();
        int led = 0;
        foreach (var (vnode, coordinator) in _coordinators)
        {
            var node = coordinator.Node!;
            Directory.ReportLeader(vnode, node.Leader, node.Term);
            led += node.Role == RaftRole.Leader ? 1 : 0;
        }

        Volatile.Write(ref _ledVnodes, led);

        if (_ticks % _options.RetentionEveryTicks == 0)
        {
            ProposeRetention();
        }

        if (_ticks++ % _options.GossipEveryTicks == 0)
        {
            var gossip = new Wire.Gossip { Endpoint = _context.Endpoint ?? string.Empty };
            foreach (var (key, value) in _context.Options.Attributes)
            {
                gossip.Attributes[key] = value;
            }

            foreach (var (vnode, coordinator) in _coordinators)
            {
                if (coordinator.Node!.Role == RaftRole.Leader)
                {
                    gossip.Leads.Add(new Wire.LedVnode { Vnode = (uint)vnode, Term = coordinator.Node.Term });
                }
            }

            foreach (ulong peer in _options.Membership.Brokers)
            {
                if (peer != BrokerId)
                {
                    _transport!.SendGossip(peer, gossip);
                }
            }

            Directory.Publish();
        }
    }

    /// <summary>
    /// Retention, on the vnodes this broker leads: proposes the deletions the applied state calls for now. A proposal
    /// that loses leadership or races another is harmless: the next check proposes again, and applying is idempotent.
    /// </summary>
    private void ProposeRetention()
    {
        long now = _context.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (vnode, coordinator) in _coordinators)
        {
            if (coordinator.Node?.Role != RaftRole.Leader)
            {
                continue;
            }

            foreach (var command in coordinator.State.RetentionDue(now))
            {
                LogRetention(_logger, vnode, command.Range.ToString(), command.ThroughSequence);
                _ = coordinator.ProposeAsync(command).ContinueWith(
                    t => LogRetentionFailed(_logger, t.Exception!.GetBaseException(), vnode),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Queues a batch received from a peer (called by the gRPC service).</summary>
    internal void Receive(Wire.RaftBatch batch)
    {
        var messages = new Raft.Hosting.GroupMessage[batch.Messages.Count];
        for (int i = 0; i < messages.Length; i++)
        {
            messages[i] = RaftWireCodec.FromWire(batch.Messages[i]);
        }

        Post(() =>
        {
            Directory.Heard(batch.From);
            if (batch.Gossip is { } gossip)
            {
                Directory.OnGossip(batch.From, gossip);
            }

            _host!.Receive(messages);
        });
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Broker {Broker} hosts {Hosted} of {Vnodes} vnodes")]
    private static partial void LogStarted(ILogger logger, ulong broker, int hosted, int vnodes);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Retention on vnode {Vnode}: deleting segments of range {Range} through {Through}")]
    private static partial void LogRetention(ILogger logger, int vnode, string range, int through);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "A retention proposal on vnode {Vnode} failed; the next check retries")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception, int vnode);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "A metadata loop item failed on broker {Broker}")]
    private static partial void LogItemFailed(ILogger logger, Exception exception, ulong broker);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Critical, Message = "The metadata loop of broker {Broker} failed; metadata stops")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, ulong broker);
}
