namespace Xinfra.Simulator.Runner;

/// <summary>
/// Shrinks a failing run's fault schedule: drops faults one at a time, keeping a drop whenever the run still fails
/// (with the same seed), until no single fault can go. The result is the seed plus the faults that matter.
/// </summary>
internal static class Shrinker
{
    public static (IReadOnlyList<int> Faults, SimResult Result) Shrink(SimOptions failing, SimResult failure, TextWriter? log = null)
    {
        var kept = (failing.KeepFaults ?? failing.Plan().All.Select(f => f.Index)).ToList();
        var last = failure;
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < kept.Count; i++)
            {
                var candidate = kept.Where((_, j) => j != i).ToList();
                using var sim = new Simulation(failing with { KeepFaults = candidate, Echo = null });
                var result = sim.Run();
                if (!result.Passed)
                {
                    log?.WriteLine($"  still fails without fault #{kept[i]} ({candidate.Count} left)");
                    kept = candidate;
                    last = result;
                    changed = true;
                    i--;
                }
            }
        }

        return (kept, last);
    }

    /// <summary>The command that replays a seed with exactly these faults, printing every step.</summary>
    public static string ReplayCommand(SimOptions options, IReadOnlyList<int> faults) =>
        $"dotnet run --project tools/Xinfra.Simulator -c Release -- --seed {options.Seed} --duration {options.Duration.TotalSeconds} " +
        $"--faults {(faults.Count == 0 ? "none" : string.Join(',', faults))}{BugFlags(options.Bugs)}{(options.StrictGroups ? "" : " --relaxed-groups")}{(options.Groups != 2 ? $" --groups {options.Groups}" : "")}{(options.Retention ? "" : " --no-retention")}{(options.Migration ? " --migration" : "")} --replay";

    public static string BugFlags(BugHooks bugs) =>
        (bugs.AckBeforeFollowerFsync ? " --bug ack-before-follower-fsync" : "")
        + (bugs.OrphanSealWithoutFencing ? " --bug orphan-seal-without-fencing" : "")
        + (bugs.ConsumerSkipsRecords ? " --bug consumer-skips-records" : "")
        + (bugs.StaleHeartbeatsApplied ? " --bug stale-heartbeats-applied" : "")
        + (bugs.GroupCommitAhead ? " --bug group-commit-ahead" : "")
        + (bugs.NoGroupFencing ? " --bug no-group-fencing" : "")
        + (bugs.ReclaimBeforeDelete ? " --bug reclaim-before-delete" : "")
        + (bugs.MigrationCutWithoutScan ? " --bug migration-cut-without-scan" : "")
        + (bugs.MigrationWithoutFilter ? " --bug migration-without-filter" : "")
        + (bugs.MigrationWithoutBarrier ? " --bug migration-without-barrier" : "");
}
