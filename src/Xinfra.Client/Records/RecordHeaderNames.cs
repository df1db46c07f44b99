namespace Xinfra;

/// <summary>Header names Xinfra itself writes on records. Applications should not write names starting with <c>xinfra-</c>.</summary>
public static class RecordHeaderNames
{
    /// <summary>The message id: the producer id and its sequence number, <c>{producerId}:{sequence}</c>, the same in every copy.</summary>
    public const string MessageId = "xinfra-id";

    /// <summary>The producer's timestamp in Unix milliseconds, the same in every copy.</summary>
    public const string ProducedAt = "xinfra-ts";

    /// <summary>The migration phase the producer was in when it wrote the record.</summary>
    public const string Phase = "xinfra-phase";

    /// <summary>
    /// On the target copy of a dual-written record: where the source copy was stored, <c>{partition}:{offset}</c>.
    /// Consumers use it to cut over between epochs exactly.
    /// </summary>
    public const string SourcePosition = "xinfra-src";

    /// <summary>The W3C trace context of the produce operation.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The W3C trace state of the produce operation.</summary>
    public const string TraceState = "tracestate";
}
