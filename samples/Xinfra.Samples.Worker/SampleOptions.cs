namespace Xinfra.Samples.Worker;

/// <summary>What the sample does, bound from the <c>Sample</c> section.</summary>
public sealed class SampleOptions
{
    /// <summary>How many orders to produce.</summary>
    public int Records { get; set; } = 2000;

    /// <summary>How many distinct customer keys to spread them over.</summary>
    public int Keys { get; set; } = 20;

    /// <summary>Stop the host once every record was consumed (otherwise run until Ctrl+C).</summary>
    public bool ExitWhenDone { get; set; } = true;
}

/// <summary>The sample's message.</summary>
/// <param name="Customer">The customer (also the key).</param>
/// <param name="Sequence">Per-customer sequence number, to check ordering.</param>
/// <param name="Amount">An amount.</param>
public sealed record Order(string Customer, int Sequence, decimal Amount);
