using Xinfra.Serialization;

namespace Xinfra;

/// <summary>Per-producer options. All have defaults; create with an object initializer.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed record ProducerOptions<TKey, TValue>
{
    /// <summary>The default options.</summary>
    public static ProducerOptions<TKey, TValue> Default { get; } = new();

    /// <summary>The key serializer. <value>The default is <see cref="Serdes.Default{T}"/> of the key type.</value></summary>
    public ISerializer<TKey>? KeySerializer { get; init; }

    /// <summary>The value serializer. <value>The default is <see cref="Serdes.Default{T}"/> of the value type.</value></summary>
    public ISerializer<TValue>? ValueSerializer { get; init; }

    /// <summary>Retries of a produce that failed with a transient error, per cluster. <value>The default is 3.</value></summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>The first retry delay; later ones grow exponentially with jitter. <value>The default is 100 ms.</value></summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}
