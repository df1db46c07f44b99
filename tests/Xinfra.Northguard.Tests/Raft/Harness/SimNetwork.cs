using Xinfra.Northguard.Metadata.Raft;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>A seeded message network: delay, reorder, drop, duplicate and partitions (checked at send and delivery).</summary>
internal sealed class SimNetwork(Random random)
{
    private readonly PriorityQueue<RaftMessage, (long At, long Seq)> _queue = new();
    private readonly HashSet<(ulong, ulong)> _cut = [];
    private long _seq;

    public NetworkFaults Faults { get; set; } = NetworkFaults.None;

    /// <summary>Return false to drop a message (targeted scenarios).</summary>
    public Func<RaftMessage, bool>? Filter { get; set; }

    public int InFlight => _queue.Count;

    public long Delivered { get; private set; }

    /// <summary>Messages handed to the network (before loss), by type.</summary>
    public Dictionary<MessageType, int> SentByType { get; } = [];

    public void Cut(ulong a, ulong b)
    {
        _cut.Add((a, b));
        _cut.Add((b, a));
    }

    public void HealAll() => _cut.Clear();

    public void Isolate(ulong id, IEnumerable<ulong> all)
    {
        foreach (ulong other in all)
        {
            if (other != id)
            {
                Cut(id, other);
            }
        }
    }

    /// <summary>Splits the nodes in two sides that cannot talk to each other.</summary>
    public void Partition(IReadOnlyCollection<ulong> side, IEnumerable<ulong> all)
    {
        foreach (ulong a in side)
        {
            foreach (ulong b in all)
            {
                if (!side.Contains(b))
                {
                    Cut(a, b);
                }
            }
        }
    }

    public bool CanTalk(ulong from, ulong to) => !_cut.Contains((from, to));

    public void Send(RaftMessage message, long now)
    {
        SentByType[message.Type] = SentByType.GetValueOrDefault(message.Type) + 1;
        if (!CanTalk(message.From, message.To) || (Filter is { } f && !f(message)))
        {
            return;
        }

        if (Faults.DropRate > 0 && random.NextDouble() < Faults.DropRate)
        {
            return;
        }

        Enqueue(message, now);
        if (Faults.DuplicateRate > 0 && random.NextDouble() < Faults.DuplicateRate)
        {
            Enqueue(message, now);
        }
    }

    private void Enqueue(RaftMessage message, long now)
    {
        int delay = Faults.MaxDelay > Faults.MinDelay ? random.Next(Faults.MinDelay, Faults.MaxDelay + 1) : Faults.MinDelay;
        _queue.Enqueue(message, (now + delay, _seq++));
    }

    /// <summary>Removes the next message due at or before <paramref name="now"/> that may still be delivered.</summary>
    public bool TryDequeue(long now, out RaftMessage message)
    {
        while (_queue.TryPeek(out message!, out var at) && at.At <= now)
        {
            _queue.Dequeue();
            if (CanTalk(message.From, message.To))
            {
                Delivered++;
                return true;
            }
        }

        message = null!;
        return false;
    }

    public void Clear() => _queue.Clear();
}
