using Xinfra.Northguard.Storage;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// A model of the <c>DualWriteAck: Primary</c> durable outbox (Producing/Outbox/DualWriteOutbox): target copies
/// appended in source-write order and durable before the produce is acknowledged; a replay position acknowledged in
/// memory and written to "disk" every <see cref="PersistEvery"/> acks and when the outbox empties. It lives outside
/// the producer process: a crash keeps every entry and the persisted position and loses the in-memory position, so
/// the restarted replayer re-sends what was acknowledged since the last write (duplicates on the target, never loss).
/// </summary>
internal sealed class MigrationOutbox
{
    public const int PersistEvery = 8;
    private readonly List<OutboxEntry> _entries = [];
    private int _replayed;
    private int _persisted;

    /// <summary>Entries not yet acknowledged by the target (xinfra.dualwrite.outbox.depth).</summary>
    public int Depth => _entries.Count - _replayed;

    public long Appended { get; private set; }

    public long Resent { get; private set; }

    /// <summary>Appends a target copy; durable on return (the model of append + fsync before the ack).</summary>
    public void Append(OutboxEntry entry)
    {
        _entries.Add(entry);
        Appended++;
    }

    /// <summary>Up to <paramref name="max"/> entries from the replay position on, all of the first one's key.</summary>
    public List<OutboxEntry> Next(int max)
    {
        var batch = new List<OutboxEntry>();
        for (int i = _replayed; i < _entries.Count && batch.Count < max && (batch.Count == 0 || _entries[i].Key == batch[0].Key); i++)
        {
            batch.Add(_entries[i]);
        }

        return batch;
    }

    /// <summary>The target acknowledged the next <paramref name="count"/> entries.</summary>
    public void Acknowledge(int count)
    {
        _replayed += count;
        if (_replayed - _persisted >= PersistEvery || _replayed == _entries.Count)
        {
            _persisted = _replayed;
            _entries.RemoveRange(0, _persisted);
            _replayed = 0;
            _persisted = 0;
        }
    }

    /// <summary>The producer process crashed: the in-memory replay position is lost.</summary>
    public void Crash()
    {
        Resent += _replayed - _persisted;
        _replayed = _persisted;
    }
}

/// <summary>One outbox entry: the record's id (for the oracle), its key, and the target copy with its headers.</summary>
internal sealed record OutboxEntry(string Id, string Key, LogRecord Copy);
