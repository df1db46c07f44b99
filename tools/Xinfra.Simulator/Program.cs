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
        long nextSeed = cli.FirstSeed - 1;
        long seeds = 0;
        long simulatedTicks = 0;
        var failed = new List<long>();
        var gate = new Lock();

        // Seeds are independent runs, each on its own thread with its own loop: parallel workers change nothing
        // inside a run (same seed, same trace hash), only how many runs fit in a wall-clock hour.
        void Worker()
        {
            while (wall.Elapsed < deadline)
            {
                long seed = Interlocked.Increment(ref nextSeed);
                if (seed - cli.FirstSeed >= cli.Seeds)
                {
                    return;
                }

                var options = cli.Options(seed);
                SimResult result;
                using (var sim = new Simulation(options))
                {
                    result = sim.Run();
                }

                lock (gate)
                {
                    seeds++;
                    simulatedTicks += result.SimulatedTime.Ticks;
                    if (!result.Passed)
                    {
                        failed.Add(seed);
                        Report(options, result, cli.Shrink);
                    }

                    if (seeds % 50 == 0)
                    {
                        PrintRate(seeds, failed.Count, TimeSpan.FromTicks(simulatedTicks), wall.Elapsed, options.Brokers, cli.Parallel);
                    }
                }
            }
        }

        var threads = Enumerable.Range(0, cli.Parallel).Select(i => new Thread(Worker) { Name = $"sim-{i}", IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        PrintRate(seeds, failed.Count, TimeSpan.FromTicks(simulatedTicks), wall.Elapsed, cli.Options(0).Brokers, cli.Parallel);
        if (failed.Count > 0)
        {
            failed.Sort();
            Console.WriteLine($"failing seeds: {string.Join(',', failed)}");
        }

        return failed.Count == 0 ? 0 : 1;
    }

    private static void PrintRate(long seeds, int failures, TimeSpan simulated, TimeSpan wall, int brokers, int parallel)
    {
        double speedup = simulated.TotalSeconds / Math.Max(wall.TotalSeconds, 1e-9);
        double cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeds {seeds}, failures {failures}, simulated {simulated.TotalHours:F2} h of a {brokers}-broker cluster in {wall.TotalSeconds:F1} s wall " +
            $"({parallel} workers, {cpu:F1} s CPU): {speedup:F0} simulated cluster-hours per wall hour, {simulated.TotalSeconds / Math.Max(cpu, 1e-9):F0} per CPU hour; " +
            $"GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:F1} s, allocated {GC.GetTotalAllocatedBytes() / (1 << 20)} MiB"));
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
