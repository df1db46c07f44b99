using System.Diagnostics;
using System.Globalization;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator;

/// <summary>
/// Command line: many seeds for a while (<c>--seeds 10000 --minutes 60</c>), or one seed (<c>--seed N</c>, with
/// <c>--replay</c> to print every step, <c>--faults 1,4</c> to keep only some faults of its plan).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var cli = Cli.Parse(args);
            return cli.Seed is { } seed ? RunOne(cli, seed) : RunMany(cli);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Cli.Usage);
            return 2;
        }
    }

    private static int RunOne(Cli cli, long seed)
    {
        var options = cli.Options(seed) with { Echo = cli.Replay ? Console.Out : null };
        using var sim = new Simulation(options);
        if (cli.Replay)
        {
            Console.WriteLine($"fault plan of seed {seed}:");
            foreach (var fault in sim.Plan.All)
            {
                Console.WriteLine($"  {(sim.Plan.Active.Contains(fault) ? "*" : " ")} {fault}");
            }
        }

        var result = sim.Run();
        Report(options, result, shrink: !cli.Replay && cli.Shrink);
        return result.Passed ? 0 : 1;
    }

    private static int RunMany(Cli cli)
    {
        var wall = Stopwatch.StartNew();
        var deadline = cli.Minutes is { } m ? TimeSpan.FromMinutes(m) : TimeSpan.MaxValue;
        long seeds = 0;
        var simulated = TimeSpan.Zero;
        var failed = new List<long>();
        for (long seed = cli.FirstSeed; seeds < cli.Seeds && wall.Elapsed < deadline; seed++)
        {
            var options = cli.Options(seed);
            SimResult result;
            using (var sim = new Simulation(options))
            {
                result = sim.Run();
            }

            seeds++;
            simulated += result.SimulatedTime;
            if (!result.Passed)
            {
                failed.Add(seed);
                Report(options, result, cli.Shrink);
            }

            if (seeds % 50 == 0)
            {
                PrintRate(seeds, failed.Count, simulated, wall.Elapsed, options.Brokers);
            }
        }

        PrintRate(seeds, failed.Count, simulated, wall.Elapsed, cli.Options(0).Brokers);
        if (failed.Count > 0)
        {
            Console.WriteLine($"failing seeds: {string.Join(',', failed)}");
        }

        return failed.Count == 0 ? 0 : 1;
    }

    private static void PrintRate(long seeds, int failures, TimeSpan simulated, TimeSpan wall, int brokers)
    {
        double speedup = simulated.TotalSeconds / Math.Max(wall.TotalSeconds, 1e-9);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeds {seeds}, failures {failures}, simulated {simulated.TotalHours:F2} h of a {brokers}-broker cluster in {wall.TotalSeconds:F1} s wall: {speedup:F0} simulated cluster-hours per wall hour"));
    }

    private static void Report(SimOptions options, SimResult result, bool shrink)
    {
        Console.Write(Reporter.Describe(options, result));
        if (result.Passed)
        {
            return;
        }

        var faults = options.KeepFaults ?? options.Plan().All.Select(f => f.Index).ToList();
        if (shrink)
        {
            Console.WriteLine($"  shrinking the fault schedule of seed {result.Seed} ({faults.Count} faults)...");
            (faults, _) = Shrinker.Shrink(options, result, Console.Out);
        }

        Console.WriteLine($"  replay: {Shrinker.ReplayCommand(options, faults)}");
    }
}
