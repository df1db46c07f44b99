using Xunit.Sdk;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>Runs a scenario under many seeds; a failure names its seed so it can be replayed alone.</summary>
internal static class Seeds
{
    public static void Run(int count, Action<int> scenario, int first = 1)
    {
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
