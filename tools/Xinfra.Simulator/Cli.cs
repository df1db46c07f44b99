using System.Globalization;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator;

/// <summary>The parsed command line.</summary>
internal sealed record Cli
{
    public const string Usage =
        "usage: Xinfra.Simulator [--seeds N] [--minutes M] [--first-seed S] [--duration SECONDS] [--parallel P] [--no-shrink] [--migration]\n" +
        "       Xinfra.Simulator --seed N [--faults i,j|none] [--replay] [--bug ack-before-follower-fsync|orphan-seal-without-fencing|consumer-skips-records|stale-heartbeats-applied|group-commit-ahead|unfenced-commits|no-group-fencing|reclaim-before-delete|migration-cut-without-scan|migration-without-filter|migration-without-barrier|migration-without-confirm]\n" +
        "       common: [--groups N] (consumer groups, default 2) [--no-retention] [--relaxed-groups] (coordinator-handoff overlaps are findings, not failures; --strict-groups is the default) [--migration] (a live migration with phase flips)";

    public long? Seed { get; init; }

    public long Seeds { get; init; } = long.MaxValue;

    public double? Minutes { get; init; }

    public long FirstSeed { get; init; } = 1;

    public double DurationSeconds { get; init; } = 60;

    public IReadOnlyList<int>? Faults { get; init; }

    public bool Replay { get; init; }

    /// <summary>Seeds run at once (one thread each); the default is one per processor.</summary>
    public int Parallel { get; init; } = Environment.ProcessorCount;

    public bool Shrink { get; init; } = true;

    public BugHooks Bugs { get; init; } = new();

    public bool StrictGroups { get; init; } = true;

    public int Groups { get; init; } = 2;

    public bool Retention { get; init; } = true;

    /// <summary>Run the migration workload (phase flips) next to the main one.</summary>
    public bool Migration { get; init; }

    public SimOptions Options(long seed) => new()
    {
        Seed = seed,
        Duration = TimeSpan.FromSeconds(DurationSeconds),
        KeepFaults = Faults,
        Bugs = Bugs,
        StrictGroups = StrictGroups,
        Groups = Groups,
        Retention = Retention,
        Migration = Migration,
    };

    public static Cli Parse(string[] args)
    {
        var cli = new Cli();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            cli = args[i] switch
            {
                "--seed" => cli with { Seed = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seeds" => cli with { Seeds = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--minutes" => cli with { Minutes = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--first-seed" => cli with { FirstSeed = long.Parse(Next(), CultureInfo.InvariantCulture) },
                "--duration" => cli with { DurationSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--faults" => cli with { Faults = ParseFaults(Next()) },
                "--replay" => cli with { Replay = true },
                "--strict-groups" => cli with { StrictGroups = true },
                "--relaxed-groups" => cli with { StrictGroups = false },
                "--no-retention" => cli with { Retention = false },
                "--groups" => cli with { Groups = Math.Max(0, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--no-shrink" => cli with { Shrink = false },
                "--migration" => cli with { Migration = true },
                "--parallel" => cli with { Parallel = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--bug" => cli with { Bugs = AddBug(cli.Bugs, Next()) },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'."),
            };
        }

        if (cli.Seed is null && cli.Seeds == long.MaxValue && cli.Minutes is null)
        {
            cli = cli with { Seeds = 100 };
        }

        return cli;
    }

    private static List<int> ParseFaults(string text) =>
        text == "none" ? [] : [.. text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];

    private static BugHooks AddBug(BugHooks bugs, string name) => name switch
    {
        "ack-before-follower-fsync" => bugs with { AckBeforeFollowerFsync = true },
        "orphan-seal-without-fencing" => bugs with { OrphanSealWithoutFencing = true },
        "consumer-skips-records" => bugs with { ConsumerSkipsRecords = true },
        "stale-heartbeats-applied" => bugs with { StaleHeartbeatsApplied = true },
        "group-commit-ahead" => bugs with { GroupCommitAhead = true },
        "unfenced-commits" => bugs with { UnfencedCommits = true },
        "no-group-fencing" => bugs with { NoGroupFencing = true },
        "reclaim-before-delete" => bugs with { ReclaimBeforeDelete = true },
        "migration-cut-without-scan" => bugs with { MigrationCutWithoutScan = true },
        "migration-without-filter" => bugs with { MigrationWithoutFilter = true },
        "migration-without-barrier" => bugs with { MigrationWithoutBarrier = true },
        "migration-without-confirm" => bugs with { MigrationWithoutConfirm = true },
        _ => throw new ArgumentException($"Unknown bug hook '{name}'."),
    };
}
