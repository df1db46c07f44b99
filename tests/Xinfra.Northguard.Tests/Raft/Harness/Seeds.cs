using Xunit.Sdk;

namespace Xinfra.Northguard.Tests.Raft.Harness;

/// <summary>Runs a scenario under many seeds; a failure names its seed so it can be replayed alone.</summary>
internal static class Seeds
{
    /// <summary>Multiplies every seed count (a longer run): <c>XINFRA_RAFT_SEED_MULTIPLIER=20 dotnet test ...</c>.</summary>
    public static int Multiplier { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("XINFRA_RAFT_SEED_MULTIPLIER"), out int m) && m > 0 ? m : 1;

    /// <summary>
    /// A seed derived from several numbers, the same in every process (unlike <see cref="HashCode"/>, which is
    /// randomized per process and would make a failing seed impossible to replay).
    /// </summary>
    public static int Derive(long a, long b, long c = 0, long d = 0)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (long part in (ReadOnlySpan<long>)[a, b, c, d])
        {
            h ^= (ulong)part;
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
        }

        return (int)(h ^ (h >> 32));
    }

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
