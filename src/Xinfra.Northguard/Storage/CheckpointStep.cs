namespace Xinfra.Northguard.Storage;

/// <summary>The steps of a checkpoint, for the crash tests' hook.</summary>
internal enum CheckpointStep
{
    /// <summary>The new WAL file is in use; the segment files are not fsynced yet.</summary>
    Rolled,

    /// <summary>The segment files and the index are durable; the old WAL files are still there.</summary>
    SegmentsSynced,

    /// <summary>The old WAL files are deleted: the checkpoint is complete.</summary>
    WalDeleted,
}
