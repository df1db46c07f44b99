using Xinfra.Simulator.Runner;

namespace Xinfra.Simulation.Tests;

/// <summary>
/// The migration workload (<c>--migration</c>): a logical topic flipped SourceOnly → DualWriteReadSource →
/// DualWriteReadTarget → back → forward → TargetOnly while the seed's faults, target outages and producer crashes
/// run; dual writes under both ack policies; a one-member and a two-member group cutting over (barrier, real
/// checkpoint and DeliveryFilter).
/// </summary>
public class MigrationTests
{
    private static (SimOptions Options, SimResult Result, Simulator.Workloads.MigrationWorkload Migration) Run(long seed, int seconds = 30, BugHooks? bugs = null)
    {
        var options = new SimOptions { Seed = seed, Duration = TimeSpan.FromSeconds(seconds), Migration = true, Bugs = bugs ?? new BugHooks(), DrainLimit = TimeSpan.FromSeconds(bugs is null ? 60 : 20) };
        using var simulation = new Simulator.Runner.Simulation(options);
        var result = simulation.Run();
        return (options, result, simulation.Migration!);
    }

    private static readonly long[] SeedList = [1, 2, 3, 4, 53, 168, 188];

    public static TheoryData<long> Seeds => new(SeedList);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Seed_MigratesWithFlipsUnderFaults_AndEveryInvariantHolds(long seed)
    {
        var (options, result, migration) = Run(seed);

        Assert.True(result.Passed, Reporter.Describe(options, result));
        Assert.Equal(MigrationPhase.TargetOnly, migration.Control.Phase);
        Assert.Equal(5, migration.Operator.StepsDone);
        Assert.Equal(10, migration.Operator.IllegalRefused);
        Assert.True(migration.Checker.Acked > 300, $"only {migration.Checker.Acked} records acknowledged");
        Assert.True(migration.Checker.FromTarget > 100, $"only {migration.Checker.FromTarget} records delivered from the target");
        Assert.All(migration.Consumers, c => Assert.True(c.ReadsTarget && c.Flips >= 1, $"consumer {c.Index}: {c.Flips} flips"));
        Assert.All(migration.Groups, g => Assert.True(g.ReadsTarget, $"group {g.Index} does not read the target"));
        Assert.All(migration.Groups, g => Assert.True(g.Checkpoint!.Confirmed, $"group {g.Index} reads the target under an unconfirmed cut (flip {g.Checkpoint.Flip})"));
        Assert.True(migration.Producers.Sum(p => p.Crashes) >= 2);
        Assert.True(migration.Producers[1].Outbox.Appended > 0, "the Primary producer never used its outbox");
    }

    [Fact]
    public void AcrossSeeds_TheRollbackTheDeferralAndTheOutboxReplayAreExercised()
    {
        var runs = SeedList.Select(s => Run(s).Migration).ToList();

        Assert.Contains(runs, m => m.Consumers.All(c => c.Flips == 3)); // forward, back, forward
        Assert.Contains(runs, m => m.Consumers[2].Deferrals > 0); // the stalled member found source-only records
        Assert.Contains(runs, m => m.Consumers[1].BarrierWaits > 0); // a member waited for the other to leave
        Assert.Contains(runs, m => m.Producers[1].Outbox.Resent > 0); // a crash re-sent acknowledged outbox entries
        Assert.Contains(runs, m => m.Operator.Refusals > 0); // the gate or the outbox rule refused a step
    }

    [Fact]
    public void SameSeed_WithMigration_GivesTheSameTraceHash_AndDiffersFromTheRunWithout()
    {
        var first = Run(5);
        var second = Run(5);
        using var plain = new Simulator.Runner.Simulation(new SimOptions { Seed = 5, Duration = TimeSpan.FromSeconds(30) });

        Assert.Equal(first.Result.TraceHash, second.Result.TraceHash);
        Assert.Equal(first.Result.Events, second.Result.Events);
        Assert.Equal(first.Migration.Checker.Delivered, second.Migration.Checker.Delivered);
        Assert.NotEqual(first.Result.TraceHash, plain.Run().TraceHash);
    }

    [Fact]
    public void CutWithoutScanningTheSource_LosesOrReordersRecordsWrittenBeforeDualWrites()
    {
        var (options, result, _) = Run(2, bugs: new BugHooks { MigrationCutWithoutScan = true });

        Assert.False(result.Passed);
        Assert.Contains(result.Failures, f => f.Contains("group 1", StringComparison.Ordinal)
            && (f.Contains("per-key order broken", StringComparison.Ordinal) || f.Contains("never delivered", StringComparison.Ordinal)));
        string report = Reporter.Describe(options, result);
        Assert.Contains("--bug migration-cut-without-scan", report, StringComparison.Ordinal);
        Assert.Contains("--migration --replay", report, StringComparison.Ordinal);
    }

    [Fact]
    public void CutWithoutDeliveryFilter_RepeatsRecordsAcrossTheFlip_AndTheCheckerSaysSo()
    {
        var (_, result, _) = Run(1, bugs: new BugHooks { MigrationWithoutFilter = true });

        Assert.False(result.Passed);
        Assert.Contains(result.Failures, f => f.Contains("twice", StringComparison.Ordinal) && f.Contains("a repeat across a flip", StringComparison.Ordinal));
    }

    [Fact]
    public void CutWithoutTheBarrier_RepeatsRecordsInTheTwoMemberGroup()
    {
        // The repeat needs the second member to read the other epoch at the moment of a cut: seed 3 shows it today;
        // seeds 1-12 are searched after it so a model change that moves the timing cannot make the test vacuous.
        foreach (long seed in new long[] { 3 }.Concat(Enumerable.Range(1, 12).Where(i => i != 3).Select(i => (long)i)))
        {
            var (_, result, _) = Run(seed, bugs: new BugHooks { MigrationWithoutBarrier = true });
            if (result.Failures.Any(f => f.Contains("group 1", StringComparison.Ordinal) && f.Contains("a repeat across a flip", StringComparison.Ordinal)))
            {
                return;
            }
        }

        Assert.Fail("no seed of 1-12 repeated a record across a flip in the two-member group with cuts that skip the barrier");
    }
}
