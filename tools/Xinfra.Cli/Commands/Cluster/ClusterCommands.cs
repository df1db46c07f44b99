using System.CommandLine;
using System.Globalization;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Cluster;
using Xinfra.Northguard.DataPath;

namespace Xinfra.Cli.Commands.Cluster;

/// <summary>
/// <c>xinfra cluster run</c> hosts an embedded Northguard cluster in this process; <c>xinfra cluster rolling-restart</c>
/// asks that process to restart its brokers one at a time and shows the progress. Remote brokers (processes this
/// tool did not start) cannot be restarted by it: use <c>brokers safe-to-restart</c> before restarting each yourself.
/// </summary>
internal sealed class ClusterCommands : ICommandGroup
{
    private static readonly Option<int> Brokers = new("--brokers") { Description = "How many brokers.", DefaultValueFactory = _ => 3 };
    private static readonly Option<string> DataDir = new("--data-dir", "-d") { Description = "The folder holding every broker's data and the control files.", Required = true };
    private static readonly Option<string> Rereplication = new("--rereplication-interval") { Description = "How often brokers restore lost replicas of sealed segments.", DefaultValueFactory = _ => "30s" };
    private static readonly Option<int> StepTimeout = new("--step-timeout") { Description = "Seconds to wait for a broker to become safe to restart, and to rejoin.", DefaultValueFactory = _ => 120 };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var run = new Command("run", "Host an embedded Northguard cluster (in-process brokers on 127.0.0.1) until Ctrl+C.") { Brokers, DataDir, Rereplication };
        CliAction.Set(run, context, RunAsync);
        var restart = new Command("rolling-restart", "Restart the brokers of the cluster hosted by 'xinfra cluster run' one at a time, each only when safe to restart.") { DataDir, StepTimeout };
        CliAction.Set(restart, context, RollingRestartAsync);
        var group = new Command("cluster", "Host an embedded cluster and restart it broker by broker.");
        group.Subcommands.Add(run);
        group.Subcommands.Add(restart);
        return group;
    }

    private static async Task<int> RunAsync(CliInvocation run, CancellationToken ct)
    {
        int brokers = run.Get(Brokers);
        if (brokers is < 1 or > 16)
        {
            throw new CliException($"--brokers: {brokers} is not between 1 and 16.", ExitCodes.Usage);
        }

        var interval = Units.ParseDuration(run.Get(Rereplication)!, "--rereplication-interval") ?? TimeSpan.Zero;
        var dataDir = Path.GetFullPath(run.Get(DataDir)!);
        Directory.CreateDirectory(dataDir);
        var control = new ClusterControl(dataDir);
        await using var cluster = await NorthguardCluster.StartEmbeddedAsync(brokers, DataPathOptions.Default with { RereplicationInterval = interval }, dataDir, ct);
        control.Publish(new ClusterInfo(Environment.ProcessId, cluster.Bootstrap, brokers, DateTimeOffset.UtcNow));
        try
        {
            run.Emit(new { bootstrap = cluster.Bootstrap, dataDir, brokers }, o => o.WriteLine($"Northguard cluster of {brokers} broker(s) running; --bootstrap {cluster.Bootstrap} (Ctrl+C stops it)."));
            await run.Context.Out.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                if (control.TakeRequest() is { } stepTimeout)
                {
                    await RestartHostedAsync(cluster, control, stepTimeout, run, ct);
                    control.Publish(new ClusterInfo(Environment.ProcessId, cluster.Bootstrap, brokers, DateTimeOffset.UtcNow));
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            control.Unpublish();
        }

        await run.Context.Error.WriteLineAsync("Cluster stopped.");
        return ExitCodes.Ok;
    }

    private static async Task RestartHostedAsync(NorthguardCluster cluster, ClusterControl control, TimeSpan stepTimeout, CliInvocation run, CancellationToken ct)
    {
        var progress = new SynchronousProgress(p =>
        {
            control.AppendLog(string.Join('\t', Units.N(p.Index), Units.N(p.Total), Units.N((long)p.BrokerId), p.Stage, p.Detail));
            run.Context.Error.WriteLine($"rolling restart {p.Index}/{p.Total}: broker {p.BrokerId} {p.Stage}: {p.Detail}");
        });
        try
        {
            await cluster.RollingRestartAsync(stepTimeout, progress, ct);
            control.AppendLog("DONE\tOK");
        }
        catch (Exception e) when (e is XinfraException or IOException or OperationCanceledException)
        {
            control.AppendLog($"DONE\tFAILED\t{e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static async Task<int> RollingRestartAsync(CliInvocation run, CancellationToken ct)
    {
        var control = new ClusterControl(run.Get(DataDir)!);
        var info = control.Read();
        var stepTimeout = TimeSpan.FromSeconds(Math.Max(1, run.Get(StepTimeout)));
        control.RequestRollingRestart(stepTimeout);
        var progress = run.Progress("rolling restart");
        var budget = stepTimeout * (2 * info.Brokers) + TimeSpan.FromSeconds(30);
        var deadline = DateTimeOffset.UtcNow + budget;
        var steps = new List<object>();
        int seen = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var lines = control.ReadLog();
            for (; seen < lines.Count; seen++)
            {
                var parts = lines[seen].Split('\t');
                if (parts[0] == "DONE")
                {
                    progress.Finish();
                    bool ok = parts.Length > 1 && parts[1] == "OK";
                    string? failure = ok ? null : parts.ElementAtOrDefault(2) ?? "unknown failure";
                    run.Emit(new { ok, brokers = info.Brokers, failure, steps }, o => o.WriteLine(ok
                        ? $"Rolling restart of {info.Brokers} broker(s) done."
                        : $"Rolling restart stopped: {failure}"));
                    return ok ? ExitCodes.Ok : ExitCodes.Failed;
                }

                if (parts.Length >= 5)
                {
                    int index = int.Parse(parts[0], CultureInfo.InvariantCulture);
                    int total = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    steps.Add(new { index, total, broker = ulong.Parse(parts[2], CultureInfo.InvariantCulture), stage = parts[3], detail = parts[4] });
                    progress.Report(parts[3] == "done" ? index : index - 1, total, $"broker {parts[2]}: {parts[3]} ({parts[4]})");
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }

        progress.Finish();
        throw new CliException($"the rolling restart did not finish within {budget.TotalSeconds:0} s; see {control.LogFile}.");
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would reorder log lines).</summary>
    private sealed class SynchronousProgress(Action<RollingRestartProgress> report) : IProgress<RollingRestartProgress>
    {
        public void Report(RollingRestartProgress value) => report(value);
    }
}
