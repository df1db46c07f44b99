namespace Xinfra.Northguard.Metadata.Raft.Durable;

/// <summary>The kinds of records in the Raft write-ahead log.</summary>
internal enum WalRecordType : byte
{
    /// <summary>One log entry; it replaces any entry of the group at its index or later.</summary>
    Entry = 1,

    /// <summary>The group's hard state.</summary>
    HardState = 2,

    /// <summary>A snapshot received from a leader: replaces the group's whole log.</summary>
    Snapshot = 3,

    /// <summary>A local snapshot: drops the group's log up to its index, keeping later entries.</summary>
    Compact = 4,
}
