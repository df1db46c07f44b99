namespace Xinfra.Northguard.Metadata.Network;

/// <summary>
/// A metadata request could not be completed: the broker is stopping or unreachable, or the vnode had no leader in
/// time. The outcome of a write is unknown; retrying a create may then report that the topic exists.
/// </summary>
public sealed class MetadataUnavailableException : XinfraException
{
    /// <summary>Creates the exception.</summary>
    public MetadataUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
