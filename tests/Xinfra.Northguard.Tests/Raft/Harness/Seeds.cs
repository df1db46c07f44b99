using Xunit.Sdk;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>Runs a scenario under many seeds; a failure names its seed so it can be replayed alone.</summary>
internal static class Seeds
{
    /// <summary>Multiplies every seed count (a longer run): <c>XINFRA_RAFT_SEED_MULTIPLIER=20 dotnet test ...</c>.</summary>
    public static int Multiplier { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("XINFRA_RAFT_SEED_MULTIPLIER"), out int m) && m > 0 ? m : 1;

    public static void Run(int count, Action<int> scenario, int first = 1)
    {
        count *= Multiplier;
        for (int seed = first; seed < first + count; seed++)
        {
            try
            {
                scenario(seed);
            }
            catch (Exception e) when (e is not SeedFailedException)
            {
                throw new SeedFailedException($"Failed with seed {seed}: {e.Message}", e);
            }
        }
    }
}

/// <summary>A seeded scenario failed; the message names the seed.</summary>
internal sealed class SeedFailedException(string message, Exception inner) : XunitException(message, inner);
