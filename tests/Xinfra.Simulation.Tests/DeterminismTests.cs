using Xinfra.Simulator.Runner;

namespace Xinfra.Simulation.Tests;

public class DeterminismTests
{
    private static SimResult Run(long seed, IReadOnlyList<int>? faults = null, TextWriter? echo = null)
    {
        using var simulation = new Simulator.Runner.Simulation(new SimOptions
        {
            Seed = seed,
            Duration = TimeSpan.FromSeconds(20),
            KeepFaults = faults,
            Echo = echo,
        });
        return simulation.Run();
    }

    [Fact]
    public void SameSeed_TwoRuns_GiveTheSameTraceHash()
    {
        var first = Run(7);
        var second = Run(7);

        Assert.True(first.Passed, string.Join('\n', first.Failures));
        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.Equal(first.Events, second.Events);
        Assert.Equal(first.Acked, second.Acked);
        Assert.True(first.Acked > 100, $"the workload acknowledged only {first.Acked} records");
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentTraceHashes()
    {
        Assert.NotEqual(Run(7).TraceHash, Run(8).TraceHash);
    }

    [Fact]
    public void Replay_PrintsEveryStepAndReproducesTheHash()
    {
        var plain = Run(9, faults: [0]);
        using var echo = new StringWriter();

        var replayed = Run(9, faults: [0], echo: echo);

        Assert.Equal(plain.TraceHash, replayed.TraceHash);
        string trace = echo.ToString();
        Assert.Contains("FAULT #0", trace, StringComparison.Ordinal);
        Assert.Contains("deliver 1->", trace, StringComparison.Ordinal);
        Assert.Contains("end: acked", trace, StringComparison.Ordinal);
    }
}
