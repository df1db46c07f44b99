namespace Xinfra;

/// <summary>
/// The root of every error Xinfra raises. Carries the logical topic, the cluster and the migration phase involved,
/// when they are known, so a log line or an alert says where the failure happened without parsing the message.
/// </summary>
public class XinfraException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public XinfraException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public XinfraException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with no message; prefer the constructors that say what failed.</summary>
    public XinfraException()
        : base("An Xinfra operation failed.")
    {
    }

    /// <summary>The logical topic involved, if any.</summary>
    public string? Topic { get; init; }

    /// <summary>The cluster involved, if any.</summary>
    public string? Cluster { get; init; }

    /// <summary>The migration phase of the topic when the error happened, if known.</summary>
    public string? Phase { get; init; }

    /// <summary>True when retrying the same operation later may succeed (a broker restart, a leader change).</summary>
    public virtual bool IsTransient => false;
}
