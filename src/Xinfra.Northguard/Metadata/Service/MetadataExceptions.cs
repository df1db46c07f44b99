namespace Xinfra.Northguard.Metadata.Service;

/// <summary>
/// This broker cannot serve the metadata request because it does not lead the vnode (or no longer does): retry on
/// <see cref="LeaderHint"/> when known, after refreshing cached metadata.
/// </summary>
public sealed class NotLeaderException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public NotLeaderException(string message, int vnode, ulong leaderHint)
        : base(message)
    {
        Vnode = vnode;
        LeaderHint = leaderHint;
    }

    /// <summary>The vnode the request was for.</summary>
    public int Vnode { get; }

    /// <summary>The broker believed to lead the vnode, or 0 when unknown.</summary>
    public ulong LeaderHint { get; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>A topic with that name already exists.</summary>
public sealed class TopicExistsException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public TopicExistsException(string message)
        : base(message)
    {
    }
}

/// <summary>A metadata request was refused: it is malformed or contradicts the current state.</summary>
public sealed class MetadataRequestException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public MetadataRequestException(string message)
        : base(message)
    {
    }
}

/// <summary>A conditional document write found another version: re-read and retry.</summary>
public sealed class DocumentVersionMismatchException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public DocumentVersionMismatchException(string message)
        : base(message)
    {
    }
}
