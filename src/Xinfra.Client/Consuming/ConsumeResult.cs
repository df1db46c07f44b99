using System.Diagnostics;
using Xinfra.Transport;

namespace Xinfra;

/// <summary>A record delivered to the application, with where it came from.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed record ConsumeResult<TKey, TValue>
{
    /// <summary>The logical topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The cluster it was read from.</summary>
    public required string Cluster { get; init; }

    /// <summary>The epoch (index in the topic's epochs) it was read from.</summary>
    public required int Epoch { get; init; }

    /// <summary>The physical partition and offset.</summary>
    public required TopicPartitionOffset Position { get; init; }

    /// <summary>The deserialized key.</summary>
    public TKey? Key { get; init; }

    /// <summary>The deserialized value.</summary>
    public TValue? Value { get; init; }

    /// <summary>The headers, including Xinfra's own (<see cref="RecordHeaderNames"/>).</summary>
    public required XinfraHeaders Headers { get; init; }

    /// <summary>The record timestamp.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>
    /// The trace context the producer stamped (W3C <c>traceparent</c>), or default when none. Start the processing
    /// span with it as parent to join the producer's trace.
    /// </summary>
    public ActivityContext ProducerContext { get; init; }

    /// <summary>The Xinfra message id, when the producer was an Xinfra producer.</summary>
    public string? MessageId => Headers.TryGetString(RecordHeaderNames.MessageId, out var id) ? id : null;
}
