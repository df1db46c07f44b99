namespace Xinfra.Northguard.Storage;

/// <summary>The store hit an I/O error (write or fsync failure) and stopped accepting appends.</summary>
public sealed class StorageFailedException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public StorageFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>An operation named a segment the store does not hold.</summary>
public sealed class SegmentNotFoundException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public SegmentNotFoundException(long segmentId)
        : base($"Segment {segmentId} does not exist in this store.")
    {
        SegmentId = segmentId;
    }

    /// <summary>The segment that was asked for.</summary>
    public long SegmentId { get; }
}

/// <summary>An append or seal targeted a segment that is already sealed (or being sealed).</summary>
public sealed class SegmentSealedException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public SegmentSealedException(long segmentId)
        : base($"Segment {segmentId} is sealed and accepts no more records.")
    {
        SegmentId = segmentId;
    }

    /// <summary>The sealed segment.</summary>
    public long SegmentId { get; }
}

/// <summary>A pre-encoded batch given to <see cref="FpsStore.AppendEncoded"/> is malformed (header, CRC, records).</summary>
public sealed class InvalidBatchException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public InvalidBatchException(string message)
        : base(message)
    {
    }
}
