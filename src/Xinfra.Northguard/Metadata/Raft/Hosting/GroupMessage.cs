namespace Xinfra.Northguard.Metadata.Raft.Hosting;

/// <summary>A Raft message tagged with its group, as batched between brokers.</summary>
/// <param name="Group">The Raft group (e.g. a vnode).</param>
/// <param name="Message">The message; its <c>From</c> and <c>To</c> are broker ids.</param>
public readonly record struct GroupMessage(ulong Group, RaftMessage Message);

/// <summary>Sends batches of group messages to brokers. Implementations must not block (queue and return).</summary>
public interface IRaftTransport
{
    /// <summary>Sends one batch to <paramref name="broker"/>. Delivery may fail silently: Raft retries.</summary>
    void Send(ulong broker, IReadOnlyList<GroupMessage> batch);
}

/// <summary>The application side of one group: applies what the group committed.</summary>
public interface IRaftStateMachine
{
    /// <summary>Replaces the whole state by a snapshot received from the leader.</summary>
    void Restore(RaftSnapshot snapshot);

    /// <summary>Applies one committed entry (conf changes included, for the record; they carry no app data).</summary>
    void Apply(in LogEntry entry);

    /// <summary>A read-index request was confirmed and everything up to its index is applied.</summary>
    void OnReadReady(ReadState read);

    /// <summary>Encodes the state as of the last applied entry, for compaction.</summary>
    byte[] CreateSnapshot();

    /// <summary>The local member's term or known leader changed (a chance to fail requests bound to the old one).</summary>
    void OnLeaderChanged(long term, ulong leader);
}
