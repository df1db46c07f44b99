namespace Xinfra.Northguard.Metadata.Raft;

/// <summary>What a log entry carries.</summary>
public enum EntryKind : byte
{
    /// <summary>Application data (possibly empty: a new leader's no-op).</summary>
    Normal = 0,

    /// <summary>An encoded <see cref="ConfChange"/>.</summary>
    ConfChange = 1,
}

/// <summary>One entry of the replicated log.</summary>
/// <param name="Index">The position in the log, starting at 1.</param>
/// <param name="Term">The leader term in which the entry was created.</param>
/// <param name="Kind">Application data or a membership change.</param>
/// <param name="Data">The payload; the log never interprets it.</param>
public readonly record struct LogEntry(long Index, long Term, EntryKind Kind, ReadOnlyMemory<byte> Data)
{
    /// <summary>True when both entries have the same position, term, kind and payload bytes.</summary>
    public bool SameAs(in LogEntry other) =>
        Index == other.Index && Term == other.Term && Kind == other.Kind && Data.Span.SequenceEqual(other.Data.Span);
}
