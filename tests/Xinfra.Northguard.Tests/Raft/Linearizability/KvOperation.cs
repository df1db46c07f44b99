namespace Xinfra.Northguard.Tests.Raft.Linearizability;

/// <summary>A put or a get on one key of a register map.</summary>
internal enum KvOpKind
{
    Put,
    Get,
}

/// <summary>
/// One client operation in a history. Times are simulated ticks. An operation whose outcome is unknown (the client
/// gave up waiting) has <see cref="Return"/> = <see cref="long.MaxValue"/>: it may or may not have taken effect.
/// </summary>
/// <param name="Id">Unique within the history.</param>
/// <param name="Key">The key.</param>
/// <param name="Kind">Put or get.</param>
/// <param name="Value">For a put, the value written; for a get, the value read (null: absent).</param>
/// <param name="Call">When the client invoked it.</param>
/// <param name="Return">When the client got the answer, or <see cref="long.MaxValue"/> when unknown.</param>
internal sealed record KvOperation(int Id, string Key, KvOpKind Kind, string? Value, long Call, long Return)
{
    public const long Unknown = long.MaxValue;
}
