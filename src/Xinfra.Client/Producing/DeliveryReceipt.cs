using Xinfra.Transport;

namespace Xinfra;

/// <summary>Proof that a record is durable: where each cluster of the current phase stored it.</summary>
/// <param name="Topic">The logical topic.</param>
/// <param name="Phase">The phase the record was written in.</param>
/// <param name="MessageId">The Xinfra message id stamped on every copy.</param>
/// <param name="Copies">One receipt per cluster written, source first.</param>
public sealed record DeliveryReceipt(string Topic, MigrationPhase Phase, string MessageId, IReadOnlyList<TransportReceipt> Copies)
{
    /// <summary>The first copy's cluster.</summary>
    public string Cluster => Copies[0].Cluster;

    /// <summary>The first copy's partition (or range id).</summary>
    public long Partition => Copies[0].Position.Partition;

    /// <summary>The first copy's offset.</summary>
    public long Offset => Copies[0].Position.Offset;

    /// <summary>The first copy's stored timestamp.</summary>
    public DateTimeOffset Timestamp => Copies[0].Timestamp;
}

/// <summary>The outcome of a fire-and-forget produce: a receipt or an error.</summary>
/// <param name="Receipt">Where the record was stored, or null on error.</param>
/// <param name="Error">What failed, or null on success.</param>
public sealed record DeliveryReport(DeliveryReceipt? Receipt, XinfraException? Error)
{
    /// <summary>True when the record is durable on every cluster of its phase.</summary>
    public bool Succeeded => Error is null;
}
