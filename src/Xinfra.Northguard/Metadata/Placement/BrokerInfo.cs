namespace Xinfra.Northguard.Metadata.Placement;

/// <summary>A broker as the metadata layer sees it: address, attributes (e.g. <c>zone</c>) and liveness.</summary>
/// <param name="Id">The broker id (not 0).</param>
/// <param name="Host">Its host name.</param>
/// <param name="Port">Its port.</param>
/// <param name="Attributes">Placement attributes such as <c>zone</c> or <c>rack</c>.</param>
/// <param name="IsLive">False once the broker missed its heartbeats.</param>
public sealed record BrokerInfo(ulong Id, string Host, int Port, IReadOnlyDictionary<string, string> Attributes, bool IsLive);
