using System.Globalization;
using System.Text;
using Xinfra.Northguard.Storage;
using Xinfra.Routing;
using Xinfra.Simulator.Clients;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// A producer process of the migrating topic (a model of XinfraProducer's routing, dual write and outbox). Each batch
/// (a few consecutive records of one key) goes where the real <see cref="TopicRoute"/> of the phase this process last
/// saw says: one epoch, or the source then the target with the source coordinates (<c>xinfra-src</c>) under
/// <c>DualWriteAck: Both</c>, or the source then the durable outbox under <c>Primary</c>. Batches go one at a time,
/// so per-key order holds on both epochs. The process can crash: records not yet acknowledged are lost to the
/// application (it was never told they succeeded), the outbox and its persisted position survive.
/// </summary>
internal sealed partial class MigrationProducer(SimWorld world, int id, int index, MigrationControl control, DualWriteAckPolicy ack, MigrationChecker checker)
    : SimClient(world, id)
{
    private readonly Queue<(string Id, string Key)> _queue = new();
    private int _incarnation;
    private long _n;

    public MigrationView View { get; } = new(control, ack);

    public MigrationOutbox Outbox { get; } = new();

    public int Index => index;

    public long StopAt { get; set; } = long.MaxValue;

    public bool Down { get; private set; }

    public int Crashes { get; private set; }

    /// <summary>The phase under which the batch being written was routed, or null between batches (the gate's view).</summary>
    public MigrationPhase? InFlightPhase { get; private set; }

    /// <summary>Nothing generated is waiting for an ack and the outbox is empty.</summary>
    public bool Idle => !Down && _queue.Count == 0 && Outbox.Depth == 0;

    public void Start()
    {
        int incarnation = ++_incarnation;
        Down = false;
        View.Refresh(); // A (re)started process reads the configuration afresh.
        bool Alive() => incarnation == _incarnation;
        World.Loop.Spawn($"migration producer {index}.{incarnation} config", () => PollConfigAsync(Alive));
        World.Loop.Spawn($"migration producer {index}.{incarnation}", () => GenerateAsync(Alive));
        World.Loop.Spawn($"migration producer {index}.{incarnation} sender", () => SendAsync(incarnation, Alive));
        if (ack == DualWriteAckPolicy.Primary)
        {
            World.Loop.Spawn($"migration producer {index}.{incarnation} outbox replay", () => ReplayAsync(incarnation, Alive));
        }
    }

    /// <summary>The process dies: its memory (queue, replay position, in-flight batch) is gone; the outbox stays.</summary>
    public void Crash()
    {
        _incarnation++;
        Down = true;
        Crashes++;
        _queue.Clear();
        InFlightPhase = null;
        Outbox.Crash();
        World.Trace.Write($"migration producer {index} crashed (outbox depth {Outbox.Depth})");
    }

    private async Task PollConfigAsync(Func<bool> alive)
    {
        while (alive())
        {
            await World.Loop.Delay(SimLoop.Ms(100 + Random.Next(400)));
            View.Refresh();
        }
    }

    private async Task GenerateAsync(Func<bool> alive)
    {
        while (alive() && World.Loop.Now < StopAt)
        {
            await World.Loop.Delay(SimLoop.Ms(40 + Random.Next(80)));
            if (!alive())
            {
                return;
            }

            string key = $"k{Random.Next(6)}";
            string recordId = string.Create(CultureInfo.InvariantCulture, $"m{index}:{++_n}");
            checker.OnSent(recordId, key, index, _n);
            _queue.Enqueue((recordId, key));
        }
    }

    private async Task SendAsync(int incarnation, Func<bool> alive)
    {
        while (alive())
        {
            if (_queue.Count == 0)
            {
                await World.Loop.Delay(SimLoop.Ms(20));
                continue;
            }

            var batch = new List<(string Id, string Key)>();
            foreach (var item in _queue)
            {
                if (batch.Count == 4 || item.Key != _queue.Peek().Key)
                {
                    break;
                }

                batch.Add(item);
            }

            var route = View.Route;
            InFlightPhase = route.Phase;
            if (!await WriteBatchAsync(route, batch, incarnation, alive))
            {
                return;
            }

            InFlightPhase = null;
            foreach (var (recordId, _) in batch)
            {
                _queue.Dequeue();
                checker.OnAck(recordId);
            }
        }
    }

    /// <summary>Writes one batch as the route says; false when the process died meanwhile.</summary>
    private async Task<bool> WriteBatchAsync(TopicRoute route, List<(string Id, string Key)> batch, int incarnation, Func<bool> alive)
    {
        var phase = new RecordHeader(RecordHeaderNames.Phase, Encoding.UTF8.GetBytes(route.Phase.ToString()));
        if (route.WriteTo.Count == 1)
        {
            var only = route.WriteTo[0];
            if (only == route.Target)
            {
                // XinfraProducer.WaitForOutboxAsync: a direct write to the target must not overtake older outbox copies.
                while (Outbox.Depth > 0)
                {
                    await World.Loop.Delay(SimLoop.Ms(20));
                    if (!alive())
                    {
                        return false;
                    }
                }
            }

            RecordHeader[] headers = route.Phase == MigrationPhase.SourceOnly ? [] : [phase];
            return await WriteAsync(only.Name, Records(batch, _ => headers), WriterId(incarnation, only == route.Source ? 0 : 1), alive) is not null;
        }

        var source = await WriteAsync(route.Source.Name, Records(batch, _ => [phase]), WriterId(incarnation, 0), alive);
        if (source is not { } at)
        {
            return false;
        }

        var copies = Records(batch, i => [phase, SourcePosition(at.Partition, at.BaseOffset + i)]);
        if (route.DualWriteAck == DualWriteAckPolicy.Both)
        {
            return await WriteAsync(route.Target!.Name, copies, WriterId(incarnation, 1), alive) is not null;
        }

        // Primary: the target copies go to the outbox, durable before the ack (append + fsync in the real one).
        for (int i = 0; i < copies.Count; i++)
        {
            Outbox.Append(new OutboxEntry(copies[i].Id, batch[i].Key, copies[i].Record));
        }

        return true;
    }

    /// <summary>A producer id per process incarnation and role, so a restarted process never reuses sequences.</summary>
    private int WriterId(int incarnation, int role) => 10_000 + (index * 1_000) + (incarnation * 4) + role;

    private List<(string Id, LogRecord Record)> Records(List<(string Id, string Key)> batch, Func<int, RecordHeader[]> headers)
    {
        long now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var records = new List<(string Id, LogRecord Record)>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            records.Add((batch[i].Id, new LogRecord(Encoding.UTF8.GetBytes(batch[i].Key), Encoding.UTF8.GetBytes(batch[i].Id), headers(i), now)));
        }

        return records;
    }

    private static RecordHeader SourcePosition(long partition, long offset) =>
        new(RecordHeaderNames.SourcePosition, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{partition}:{offset}")));
}
