using Xinfra.Simulator.Runner;

namespace Xinfra.Simulation.Tests;

/// <summary>
/// The seeds CI runs on every build: 30 simulated seconds each of 3 brokers, 2 producers, 2 consumers, an admin
/// splitting and merging ranges, and the seed's fault plan, then heal and drain with every checker on.
/// </summary>
public class FixedSeedTests
{
    /// <summary>Seeds that once failed (a regression list: every seed that ever found a bug is added here).</summary>
    public static TheoryData<long, int> RegressionSeeds
    {
        get
        {
            var data = new TheoryData<long, int>();
            foreach (var (seed, seconds, _) in RegressionSeedList.Entries)
            {
                data.Add(seed, seconds);
            }

            return data;
        }
    }

    /// <summary>Seeds that once failed with consumer groups off.</summary>
    public static TheoryData<long, int> RegressionSeedsWithoutGroups
    {
        get
        {
            var data = new TheoryData<long, int>();
            foreach (var (seed, seconds, _) in RegressionSeedList.WithoutGroups)
            {
                data.Add(seed, seconds);
            }

            return data;
        }
    }

    public static TheoryData<long> CiSeeds => new(Enumerable.Range(1, 16).Select(i => (long)i));

    [Theory]
    [MemberData(nameof(CiSeeds))]
    public void Seed_RunsWithFaults_AndEveryInvariantHolds(long seed) => AssertPasses(seed, 30);

    [Theory]
    [MemberData(nameof(RegressionSeeds))]
    public void RegressionSeed_StillPasses(long seed, int seconds) => AssertPasses(seed, seconds);

    [Theory]
    [MemberData(nameof(RegressionSeedsWithoutGroups))]
    public void RegressionSeedWithoutGroups_StillPasses(long seed, int seconds) => AssertPasses(seed, seconds, groups: 0);

    private static void AssertPasses(long seed, int seconds, int? groups = null)
    {
        var options = new SimOptions { Seed = seed, Duration = TimeSpan.FromSeconds(seconds) };
        if (groups is { } count)
        {
            options = options with { Groups = count };
        }

        using var simulation = new Simulator.Runner.Simulation(options);

        var result = simulation.Run();

        Assert.True(result.Passed, Reporter.Describe(options, result));
        Assert.True(result.Acked > 0, $"seed {seed}: nothing was acknowledged");
    }
}
