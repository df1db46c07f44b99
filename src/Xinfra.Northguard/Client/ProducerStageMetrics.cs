using System.Diagnostics.Metrics;
using Xinfra.Northguard.Storage.Diagnostics;

namespace Xinfra.Northguard.Client;

/// <summary>
/// Where a produced record's time goes on the client, as histograms (ms) on the <c>Xinfra.Northguard</c> meter:
/// a batch's linger (first record to close), its wait for the send loop (close to write), the write into the stream,
/// the round trip (write to ack), and per record the hand-off from the ack to the caller's continuation. Batch stages
/// carry a <c>records</c> tag (the batch's record count) so that a listener can weight them per record. Timestamps are
/// taken only while a listener is enabled on the instruments (one <c>Enabled</c> check otherwise).
/// </summary>
internal static class ProducerStageMetrics
{
    private static readonly Meter Meter = new(StorageMetrics.MeterName);

    public static readonly Histogram<double> Linger = Meter.CreateHistogram<double>(
        "xinfra.northguard.client.produce.linger", "ms", "From a batch's first record to the batch closing (size, linger or empty pipe).");

    public static readonly Histogram<double> Queued = Meter.CreateHistogram<double>(
        "xinfra.northguard.client.produce.queued", "ms", "From a batch closing to its append being handed to the stream (send loop wake-up, window).");

    public static readonly Histogram<double> Write = Meter.CreateHistogram<double>(
        "xinfra.northguard.client.produce.write", "ms", "Writing one append into the produce stream (gRPC/HTTP2 flow control).");

    public static readonly Histogram<double> RoundTrip = Meter.CreateHistogram<double>(
        "xinfra.northguard.client.produce.round_trip", "ms", "From an append's write to its ack arriving (leader, replication, both directions of the stream).");

    public static readonly Histogram<double> Completion = Meter.CreateHistogram<double>(
        "xinfra.northguard.client.produce.completion", "ms", "Per record: from its batch's ack arriving to the caller's continuation running.");

    /// <summary>The <c>records</c> tag of a batch measurement.</summary>
    public static KeyValuePair<string, object?> Records(int count) => new(Monitoring.MeterCollector.WeightTag, count);

    /// <summary>True while something listens: stage timestamps are taken only then.</summary>
    public static bool Enabled => RoundTrip.Enabled;
}
