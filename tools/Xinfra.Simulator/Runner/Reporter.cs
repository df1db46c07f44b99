using System.Text;

namespace Xinfra.Simulator.Runner;

/// <summary>Formats a run's outcome: seed, trace hash, summary, and for a failure every violation and how to replay it.</summary>
internal static class Reporter
{
    public static string Describe(SimOptions options, SimResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {result.Seed}: {(result.Passed ? "ok" : "FAILED")} trace {result.TraceHash} ({result.Summary}); {result.Events} events in {result.SimulatedTime.TotalSeconds:F1} simulated s");
        if (!result.Passed)
        {
            foreach (var failure in result.Failures)
            {
                text.AppendLine($"  {failure}");
            }

            var faults = options.KeepFaults ?? options.Plan().All.Select(f => f.Index).ToList();
            text.AppendLine($"  replay (unshrunk): {Shrinker.ReplayCommand(options, faults)}");
        }

        return text.ToString();
    }
}
