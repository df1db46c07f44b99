namespace Xinfra;

/// <summary>The configuration is invalid: names the topic or cluster and the field, and what was expected.</summary>
public sealed class XinfraConfigurationException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public XinfraConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    public XinfraConfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The configuration field at fault, as a path such as <c>Xinfra:Topics:orders:Phase</c>.</summary>
    public string? Field { get; init; }
}

/// <summary>A logical or physical topic that does not exist.</summary>
public sealed class UnknownTopicException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public UnknownTopicException(string message)
        : base(message)
    {
    }
}

/// <summary>A record could not be serialized or deserialized.</summary>
public sealed class SerializationException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public SerializationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A record was refused because it is too large for the topic or cluster.</summary>
public sealed class RecordTooLargeException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public RecordTooLargeException(string message, long size, long limit)
        : base(message)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The size of the refused record, in bytes.</summary>
    public long Size { get; }

    /// <summary>The limit it exceeded, in bytes.</summary>
    public long Limit { get; }
}

/// <summary>A read asked for a position that no longer exists (deleted by retention) or does not exist yet.</summary>
public sealed class OffsetOutOfRangeException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public OffsetOutOfRangeException(string message, long requested, long low, long high)
        : base(message)
    {
        Requested = requested;
        Low = low;
        High = high;
    }

    /// <summary>The offset that was asked for.</summary>
    public long Requested { get; }

    /// <summary>The first offset still available.</summary>
    public long Low { get; }

    /// <summary>The offset the next record will get.</summary>
    public long High { get; }
}

/// <summary>A produce could not be made durable on every cluster its phase writes to.</summary>
public sealed class ProduceException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public ProduceException(string message, Exception? innerException, bool isTransient = false)
        : base(message, innerException)
    {
        _isTransient = isTransient;
    }

    private readonly bool _isTransient;

    /// <inheritdoc />
    public override bool IsTransient => _isTransient;
}

/// <summary>A consume, commit or seek failed (transports derive more specific errors, such as a fenced commit).</summary>
public class ConsumeException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public ConsumeException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>A cluster could not be reached, or a broker refused the connection.</summary>
public sealed class ClusterUnavailableException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public ClusterUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>
/// The caller is not allowed to perform the operation (missing ACL, bad or revoked token). Names the principal
/// (application), the <see cref="XinfraException.Topic"/> and the missing operation when the broker said; never
/// carries the token.
/// </summary>
public sealed class AuthorizationException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public AuthorizationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The application (or certificate subject) that was refused, when known.</summary>
    public string? Principal { get; init; }

    /// <summary>The operation that was missing (<c>Produce</c>, <c>Consume</c>, <c>Describe</c>, <c>Admin</c>, …), when known.</summary>
    public string? Operation { get; init; }

    /// <summary>True when the credentials themselves were refused (no, unknown or revoked token), not an ACL.</summary>
    public bool IsAuthenticationFailure { get; init; }
}

/// <summary>Stored data failed a check (bad CRC, wrong magic, truncated file); names the file and offset.</summary>
public sealed class CorruptDataException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public CorruptDataException(string message, string? file, long position)
        : base(message)
    {
        File = file;
        Position = position;
    }

    /// <summary>The file (or segment) that is corrupt.</summary>
    public string? File { get; }

    /// <summary>The byte position in that file where the check failed.</summary>
    public long Position { get; }
}

/// <summary>
/// The dual-write outbox of a topic (<c>DualWriteAck: Primary</c>) is full: the target has been behind for too long.
/// Nothing was written; retry later, or raise <c>OutboxMaxBytes</c>.
/// </summary>
public sealed class OutboxFullException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public OutboxFullException(string message)
        : base(message)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
