namespace Xinfra;

/// <summary>A message a service produces: key, value, headers and an optional timestamp.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class XinfraMessage<TKey, TValue>
{
    /// <summary>The key; records with the same key keep their order. May be null (spread over partitions).</summary>
    public TKey? Key { get; init; }

    /// <summary>The value.</summary>
    public required TValue Value { get; init; }

    /// <summary>Headers; null means none.</summary>
    public XinfraHeaders? Headers { get; init; }

    /// <summary>The record timestamp; null lets the producer stamp the current time.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}
