using Xinfra.Northguard.Metadata.Raft;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;
using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Cluster;

/// <summary>
/// One simulated broker. Durable across crashes: its memory disk (the real fps-store files), its sparse index and
/// its Raft storage per vnode. Everything else (store object, Raft nodes, segment leaders, followers) belongs to
/// one incarnation and is rebuilt from the durable state on restart, as a real process would.
/// </summary>
internal sealed partial class SimBroker : ISimNode
{
    private readonly SimWorld _world;
    private readonly Dictionary<int, MemoryRaftStorage> _raftStorage = [];
    private readonly Dictionary<int, long> _lastHeard = [];
    private RpcEndpoint _rpc;
    private MetaClient _meta;
    private Random _random;
    private bool _failWrite;
    private bool _failFsync;

    public SimBroker(SimWorld world, int id)
    {
        _world = world;
        Id = id;
        Clock = new SimClock(world.Loop);
        var voters = Enumerable.Range(1, world.Options.Brokers).Select(i => (ulong)i).ToList();
        for (int v = 0; v < world.Options.Vnodes; v++)
        {
            _raftStorage[v] = new MemoryRaftStorage(voters);
        }

        Device.FailWhen = (name, operation) =>
        {
            if (_failWrite && operation == StorageOperation.Write)
            {
                _failWrite = false;
                return true;
            }

            if (_failFsync && operation == StorageOperation.Flush && name.StartsWith("wal-", StringComparison.Ordinal))
            {
                _failFsync = false;
                return true;
            }

            return false;
        };
        _rpc = new RpcEndpoint(id, world.Loop, world.Network);
        _meta = new MetaClient(world, _rpc);
        _random = world.Derive(id);
    }

    public int Id { get; }

    public bool IsUp { get; private set; }

    public int Incarnation { get; private set; }

    public SimClock Clock { get; }

    public MemoryStorageDevice Device { get; } = new();

    public InMemorySparseIndex Index { get; } = new();

    public FpsStore? Store { get; private set; }

    private ulong Self => (ulong)Id;

    /// <summary>Starts a new incarnation from the durable state. False when recovery itself failed (stays down).</summary>
    public bool Start()
    {
        Incarnation++;
        _rpc = new RpcEndpoint(Id, _world.Loop, _world.Network);
        _meta = new MetaClient(_world, _rpc);
        _random = _world.Derive(((long)Id << 20) + Incarnation);
        try
        {
            var options = FpsStoreOptions.Default with { ManualFlush = true, WalCheckpointBytes = 1 << 20 };
            Store = FpsStore.OpenAsync(Device, Index, options, Clock).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is StorageFailedException or IOException)
        {
            _world.Trace.Write($"broker {Id} recovery failed: {e.GetType().Name}");
            Store = null;
            return false;
        }

        _leaders.Clear();
        _following.Clear();
        _dirty.Clear();
        _orphanSeals.Clear();
        StartMetadata();
        IsUp = true;
        _world.Trace.Write($"broker {Id} up (incarnation {Incarnation}, segments {Store.ListSegments().Count})");
        int life = Incarnation;
        _world.Loop.Spawn($"broker {Id} raft ticks", () => TickLoopAsync(life));
        StartFlusher(life);
        _world.Loop.Spawn($"broker {Id} pings", () => PingLoopAsync(life));
        if (_world.Options.Retention)
        {
            _world.Loop.Spawn($"broker {Id} retention", () => RetentionLoopAsync(life));
        }
        return true;
    }

    /// <summary>Stops this incarnation. A power loss also drops or tears the disk's unsynced bytes.</summary>
    public void Stop(bool powerLoss, string why)
    {
        if (!IsUp)
        {
            return;
        }

        IsUp = false;
        Incarnation++;
        _rpc.Reset();
        if (powerLoss)
        {
            Device.Crash(_world.Random);
        }
        else
        {
            try
            {
                Store?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is StorageFailedException or IOException)
            {
                _world.Trace.Write($"broker {Id} clean stop failed to flush: {e.GetType().Name}");
            }
        }

        Store = null;
        _vnodes.Clear();
        _world.Trace.Write($"broker {Id} down ({why})");
    }

    public void InjectWriteError() => _failWrite = true;

    public void InjectFsyncError() => _failFsync = true;

    public void Receive(int from, object message)
    {
        if (from <= _world.Options.Brokers)
        {
            _lastHeard[from] = _world.Loop.Now;
        }

        switch (message)
        {
            case Request request:
                HandleRequest(from, request);
                break;
            case Reply reply:
                _rpc.OnReply(reply);
                break;
            case RaftEnvelope raft:
                StepRaft(raft);
                break;
            case Replicate replicate:
                OnReplicate(replicate);
                break;
            case DurableReport report:
                if (_leaders.TryGetValue(report.Segment, out var leader))
                {
                    OnDurable(leader, (ulong)from, report.End);
                }

                break;
            case ReplicaRefused refused:
                if (_leaders.TryGetValue(refused.Segment, out var refusedLeader) && refusedLeader.Core.OnReplicaFailed((ulong)from) is { } failed)
                {
                    Suspect((ulong)from);
                    _ = SealAsync(refusedLeader, $"{failed}: {refused.Why}");
                }

                break;
            case SealNotice notice:
                SealLocal(notice.Segment);
                break;
            case Ping:
                _world.Network.Send(Id, from, new Pong());
                break;
            case Pong:
                break;
            default:
                _world.Checker.Fail($"broker {Id} got an unknown message {message.GetType().Name}");
                break;
        }
    }

    private void HandleRequest(int from, Request request)
    {
        switch (request.Body)
        {
            case MetaWrite write:
                _ = ServeWriteAsync(from, request.CallId, write);
                break;
            case MetaRead read:
                _ = ServeReadAsync(from, request.CallId, read);
                break;
            case ProduceRequest produce:
                OnProduce(from, request.CallId, produce);
                break;
            case FetchRequest fetch:
                _rpc.Reply(from, request.CallId, OnFetch(fetch));
                break;
            case OpenSegmentRequest open:
                _ = ServeOpenSegmentAsync(from, request.CallId, open);
                break;
            case SealOrphanRequest orphan:
                _ = ServeSealOrphanAsync(from, request.CallId, orphan);
                break;
            case SealNowRequest sealNow:
                _ = ServeSealNowAsync(from, request.CallId, sealNow);
                break;
            case GroupRequest group:
                OnGroupRequest(from, request.CallId, group);
                break;
            case FenceRequest fence:
                _rpc.Reply(from, request.CallId, Fence(fence.Segment) is { } end ? new FenceResponse(end) : new Done(false, "storage failed"));
                break;
            default:
                _world.Checker.Fail($"broker {Id} got an unknown request {request.Body.GetType().Name}");
                break;
        }
    }

    /// <summary>Brokers heard from recently (and this one): the liveness view used for placement.</summary>
    private List<ulong> LiveBrokers()
    {
        var live = new List<ulong> { Self };
        foreach (var (peer, at) in _lastHeard)
        {
            if (peer != Id && _world.Loop.Now - at < SimLoop.Ms(1000))
            {
                live.Add((ulong)peer);
            }
        }

        live.Sort();
        return live;
    }

    private async Task PingLoopAsync(int life)
    {
        while (life == Incarnation)
        {
            for (int peer = 1; peer <= _world.Options.Brokers; peer++)
            {
                if (peer != Id)
                {
                    _world.Network.Send(Id, peer, new Ping());
                }
            }

            await _world.Loop.Delay(SimLoop.Ms(300));
        }
    }

    /// <summary>The store failed (a write or fsync error): fail-stop, as the broker process would, and come back later.</summary>
    private void FailStop(Exception e)
    {
        if (!IsUp)
        {
            return;
        }

        _world.Trace.Write($"broker {Id} storage failed: {e.GetType().Name}: {e.Message}");
        Stop(powerLoss: true, "fail-stop after a storage error");
        _world.Loop.After(SimLoop.Ms(500), () => RestartUntilUp());
    }

    /// <summary>Restarts, retrying while recovery fails (an injected error may hit recovery too).</summary>
    public void RestartUntilUp()
    {
        if (!IsUp && !Start())
        {
            _world.Loop.After(SimLoop.Ms(300), RestartUntilUp);
        }
    }
}
