using Xinfra.Simulator.Runner;

namespace Xinfra.Simulation.Tests;

/// <summary>
/// Retention in the simulation: the real <c>VnodeStateMachine.RetentionDue</c> and <c>DeleteSegmentsCommand</c> delete
/// sealed segments of <c>events</c> during the run; readers skip to the low watermark; the "no acknowledged record
/// lost" checks exempt exactly the records acked into deleted segments, and sealed segments that are not deleted must
/// keep a complete copy — a replica that drops copies too early fails the run.
/// </summary>
public class RetentionTests
{
    [Fact]
    public void Retention_DeletesSegments_ReadersSkipToTheLowWatermark_AndEveryInvariantHolds()
    {
        // Every seed must pass with deletions and reclaims; a reader skipping a deleted prefix needs a reader that fell
        // behind retention, which some seeds produce (seed 4 today): seeds are tried until one shows it.
        bool skipped = false;
        foreach (long seed in new long[] { 4, 1, 2, 3, 5, 6, 7, 8 })
        {
            var trace = new StringWriter();
            var options = new SimOptions { Seed = seed, Duration = TimeSpan.FromSeconds(30), Echo = trace };
            using var simulation = new Simulator.Runner.Simulation(options);

            var result = simulation.Run();

            Assert.True(result.Passed, Reporter.Describe(options, result));
            Assert.True(simulation.Checks.Expired > 0, $"seed {seed}: no acknowledged record was in a deleted segment");
            Assert.True(simulation.Checks.Expired < result.Acked / 2, $"seed {seed}: {simulation.Checks.Expired} of {result.Acked} exempt: retention is only on one topic of three");
            string text = trace.ToString();
            Assert.Contains("retention: delete", text, StringComparison.Ordinal);
            Assert.Contains("reclaimed deleted segment", text, StringComparison.Ordinal);
            if (text.Contains("(deleted by retention)", StringComparison.Ordinal))
            {
                skipped = true;
                break;
            }
        }

        Assert.True(skipped, "no reader of seeds 1-8 skipped a prefix deleted by retention");
    }

    [Fact]
    public void ReplicaDroppingSealedCopiesBeforeTheyAreDeleted_IsReported()
    {
        // The loss shows when the run ends while a reclaimed segment is still only sealed: seed 1 showed it first, seed
        // 7 since the simulator's flush and fetch changes; seeds 1-12 are searched so a timing change cannot make the
        // test vacuous.
        var failures = new List<string>();
        foreach (long seed in new long[] { 7 }.Concat(Enumerable.Range(1, 12).Where(i => i != 7).Select(i => (long)i)))
        {
            var options = new SimOptions
            {
                Seed = seed,
                Duration = TimeSpan.FromSeconds(20),
                KeepFaults = [],
                DrainLimit = TimeSpan.FromSeconds(20),
                Bugs = new BugHooks { ReclaimBeforeDelete = true },
            };
            using var simulation = new Simulator.Runner.Simulation(options);

            var result = simulation.Run();

            // Sealed (not deleted) segments of events lost every copy: only segments metadata marks Deleted are exempt.
            if (result.Failures.Any(f => f.Contains("no replica holds every record up to its end", StringComparison.Ordinal)))
            {
                Assert.False(result.Passed);
                return;
            }

            failures.AddRange(result.Failures);
        }

        Assert.Fail($"no seed of 1-12 reported a sealed segment without a complete copy; other failures: {string.Join(" | ", failures.Take(5))}");
    }
}
