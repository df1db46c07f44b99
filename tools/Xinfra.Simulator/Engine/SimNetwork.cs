using System.Runtime.CompilerServices;

namespace Xinfra.Simulator.Engine;

/// <summary>Something the network delivers to: a broker or a client.</summary>
internal interface ISimNode
{
    int Id { get; }

    bool IsUp { get; }

    void Receive(int from, object message);
}

/// <summary>
/// The simulated network: per-link FIFO delivery after a small random latency, plus the faults a run can switch on:
/// loss, duplication, reordering (a message overtakes others) and partitions, including one-way ones.
/// </summary>
internal sealed class SimNetwork(SimLoop loop, TraceLog trace, Random random)
{
    private readonly Dictionary<int, ISimNode> _nodes = [];
    private readonly HashSet<(int From, int To)> _blocked = [];
    private readonly Dictionary<(int From, int To), long> _lastDelivery = [];

    public double Loss { get; set; }

    public double Duplication { get; set; }

    public double Reordering { get; set; }

    public long Delivered { get; private set; }

    public void Add(ISimNode node) => _nodes[node.Id] = node;

    public void Block(int from, int to) => _blocked.Add((from, to));

    public void Unblock(int from, int to) => _blocked.Remove((from, to));

    public void HealPartitions() => _blocked.Clear();

    public bool IsBlocked(int from, int to) => _blocked.Contains((from, to));

    public void Send(int from, int to, object message)
    {
        if (_nodes.TryGetValue(from, out var sender) && !sender.IsUp)
        {
            return; // A stale continuation of a crashed incarnation.
        }

        if (_blocked.Contains((from, to)))
        {
            trace.Message("drop(partition)", from, to, message);
            return;
        }

        if (Loss > 0 && random.NextDouble() < Loss)
        {
            trace.Message("drop(loss)", from, to, message);
            return;
        }

        Schedule(from, to, message);
        if (Duplication > 0 && random.NextDouble() < Duplication)
        {
            trace.Message("duplicate", from, to, message);
            Schedule(from, to, message);
        }
    }

    private void Schedule(int from, int to, object message)
    {
        long latency = SimLoop.Ms(0.2) + random.NextInt64(SimLoop.Ms(0.8));
        long at = loop.Now + latency;
        if (Reordering > 0 && random.NextDouble() < Reordering)
        {
            at += random.NextInt64(SimLoop.Ms(20)); // May overtake or fall behind later messages of the link.
        }
        else
        {
            at = Math.Max(at, _lastDelivery.GetValueOrDefault((from, to)));
            _lastDelivery[(from, to)] = at;
        }

        loop.At(at, DeliverCallback, new Delivery(this, from, to, message));
    }

    private static readonly SendOrPostCallback DeliverCallback = static s =>
    {
        var d = (Delivery)s!;
        d.Network.Deliver(d.From, d.To, d.Message);
    };

    /// <summary>A message in flight: the state of its delivery event (one object, no closure and delegate).</summary>
    private sealed record Delivery(SimNetwork Network, int From, int To, object Message);

    private void Deliver(int from, int to, object message)
    {
        if (_nodes.TryGetValue(to, out var node) && node.IsUp && !_blocked.Contains((from, to)))
        {
            Delivered++;
            trace.Message("deliver", from, to, message);
            node.Receive(from, message);
        }
        else
        {
            trace.Message("lost(down)", from, to, message);
        }
    }
}

/// <summary>
/// Request/reply over <see cref="SimNetwork"/> for one node: awaiting <see cref="CallAsync"/> gives the reply body, or
/// null on timeout (the request may or may not have been processed). Calls of a dead incarnation never complete.
/// </summary>
internal sealed class RpcEndpoint(int self, SimLoop loop, SimNetwork network)
{
    private readonly Dictionary<long, SimCall> _pending = [];
    private long _nextCall = (long)self << 32;

    public SimCall CallAsync(int to, object body, long timeout)
    {
        long id = ++_nextCall;
        var call = new SimCall(loop, this, id);
        _pending[id] = call;
        network.Send(self, to, new Request(id, body));
        loop.At(loop.Now + timeout, TimeoutCallback, call);
        return call;
    }

    private static readonly SendOrPostCallback TimeoutCallback = static s =>
    {
        var call = (SimCall)s!;
        if (call.Endpoint._pending.Remove(call.Id))
        {
            call.Complete(null);
        }
    };

    public void OnReply(Reply reply)
    {
        if (_pending.Remove(reply.CallId, out var call))
        {
            call.Complete(reply.Body);
        }
    }

    /// <summary>Forgets every outstanding call (crash): they never complete.</summary>
    public void Reset() => _pending.Clear();

    public void Reply(int to, long callId, object body) => network.Send(self, to, new Reply(callId, body));
}

/// <summary>
/// One outstanding call of <see cref="RpcEndpoint"/>, awaited once on the loop's thread; also the state of its timeout
/// event. Its continuation is posted as an event of the loop when the reply or the timeout completes it, exactly as a
/// <see cref="TaskCompletionSource{TResult}"/> with asynchronous continuations would post it, in one object instead of
/// four (source, task, timeout state, continuation).
/// </summary>
internal sealed class SimCall(SimLoop loop, RpcEndpoint endpoint, long id) : ICriticalNotifyCompletion
{
    private static readonly SendOrPostCallback RunContinuation = static s => ((Action)s!)();
    private Action? _continuation;
    private object? _result;

    public RpcEndpoint Endpoint => endpoint;

    public long Id => id;

    /// <summary>True once the reply or the timeout arrived.</summary>
    public bool IsCompleted { get; private set; }

    public SimCall GetAwaiter() => this;

    /// <summary>The reply body, or null after a timeout.</summary>
    public object? GetResult() => _result;

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    public void UnsafeOnCompleted(Action continuation)
    {
        if (IsCompleted)
        {
            loop.Post(RunContinuation, continuation);
        }
        else
        {
            _continuation = continuation;
        }
    }

    internal void Complete(object? result)
    {
        _result = result;
        IsCompleted = true;
        if (_continuation is { } continuation)
        {
            _continuation = null;
            loop.Post(RunContinuation, continuation);
        }
    }
}
