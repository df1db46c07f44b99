namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>How badly the simulated network behaves. Delays are in ticks; a random delay reorders messages.</summary>
internal sealed record NetworkFaults
{
    public static NetworkFaults None { get; } = new();

    public static NetworkFaults Lossy { get; } = new() { DropRate = 0.1, DuplicateRate = 0.05, MaxDelay = 3 };

    public double DropRate { get; init; }

    public double DuplicateRate { get; init; }

    public int MinDelay { get; init; }

    public int MaxDelay { get; init; }
}
