using Xinfra.Simulator.Runner;

namespace Xinfra.Simulation.Tests;

/// <summary>
/// Consumer groups in the simulation: the real GroupState hosted by a simulated coordinator, members that join,
/// leave, crash and restart under the seed's faults, and the group checkers — which must also fail when a group bug
/// is switched on.
/// </summary>
public class GroupTests
{
    private static (SimOptions Options, SimResult Result, Simulator.Checks.GroupChecker Groups) Run(long seed, int seconds, BugHooks? bugs = null, bool strict = true, bool retention = true)
    {
        var options = new SimOptions
        {
            Seed = seed,
            Duration = TimeSpan.FromSeconds(seconds),
            Bugs = bugs ?? new BugHooks(),
            StrictGroups = strict,
            Retention = retention,
            DrainLimit = TimeSpan.FromSeconds(30),
        };
        using var simulation = new Simulator.Runner.Simulation(options);
        var result = simulation.Run();
        return (options, result, simulation.GroupChecks);
    }

    [Fact]
    public void Groups_UnderFaultsAndMemberChurn_DeliverEveryAckedRecordAndCommitPositions()
    {
        var (options, result, groups) = Run(3, 30);

        Assert.True(result.Passed, Reporter.Describe(options, result));
        Assert.True(groups.Grants > 10, $"grants {groups.Grants}");
        Assert.True(groups.Commits > 50, $"commits {groups.Commits}");
        Assert.True(groups.Delivered >= 2 * result.Acked, $"group deliveries {groups.Delivered} for {result.Acked} acked records in 2 groups");
    }

    [Fact]
    public void CommitAhead_SkipsRecordsAfterAHandoff_AndTheLivenessCheckSaysSo()
    {
        var (_, result, _) = Run(1, 20, new BugHooks { GroupCommitAhead = true });

        Assert.False(result.Passed);
        Assert.Contains(result.Failures, f => f.Contains("acknowledged records never delivered (lost, or the group is stuck)", StringComparison.Ordinal));
    }

    [Fact]
    public void CoordinatorHandoff_IsFencedByTheLeaseAndTheTakeoverGrace()
    {
        // Broker 2 (the coordinator of group0) crashes at 10.8 s; coordinator 1 takes the group over. Without fencing
        // (docs/decisions/0004-simulation.md) it granted group0's ranges to a rejoined member while another still read
        // them; with the member lease and the takeover grace no two members hold a range at once.
        var (fencedOptions, fenced, fencedGroups) = Run(1, 30);
        var (_, relaxed, relaxedGroups) = Run(1, 30, new BugHooks { NoGroupFencing = true }, strict: false);
        var (options, unfenced, _) = Run(1, 30, new BugHooks { NoGroupFencing = true });

        Assert.True(fenced.Passed, Reporter.Describe(fencedOptions, fenced));
        Assert.Equal(0, fencedGroups.Findings);
        Assert.True(fencedGroups.Grants > 10, $"grants {fencedGroups.Grants}");
        Assert.True(relaxed.Passed);
        Assert.True(relaxedGroups.Findings > 0);
        Assert.Contains("coordinator handoff", relaxedGroups.FirstFinding, StringComparison.Ordinal);
        Assert.False(unfenced.Passed);
        Assert.Contains(unfenced.Failures, f => f.Contains("coordinator handoff", StringComparison.Ordinal));
        Assert.Contains("--bug no-group-fencing", Reporter.Describe(options, unfenced), StringComparison.Ordinal);
    }
}
