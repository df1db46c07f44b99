using System.Globalization;
using System.Text.Json;
using Xinfra.Cli.Infrastructure;

namespace Xinfra.Cli.Commands.Cluster;

/// <summary>What <c>xinfra cluster run</c> publishes about the cluster it hosts.</summary>
/// <param name="ProcessId">The hosting process.</param>
/// <param name="Bootstrap">The brokers' host:port list.</param>
/// <param name="Brokers">How many brokers.</param>
/// <param name="StartedAt">When it started.</param>
internal sealed record ClusterInfo(int ProcessId, string Bootstrap, int Brokers, DateTimeOffset StartedAt);

/// <summary>
/// The files through which <c>xinfra cluster run</c> (the process hosting an embedded cluster) and other
/// <c>xinfra</c> invocations talk, in <c>&lt;data-dir&gt;/.xinfra-cluster/</c>: <c>cluster.json</c> (who and where),
/// <c>rolling-restart.request</c> (asks for a rolling restart) and <c>rolling-restart.log</c> (its progress, one
/// tab-separated line per step, ending with <c>DONE OK</c> or <c>DONE FAILED</c>).
/// </summary>
internal sealed class ClusterControl(string dataDirectory)
{
    private readonly string _folder = Path.Combine(Path.GetFullPath(dataDirectory), ".xinfra-cluster");

    public string InfoFile => Path.Combine(_folder, "cluster.json");

    public string RequestFile => Path.Combine(_folder, "rolling-restart.request");

    public string LogFile => Path.Combine(_folder, "rolling-restart.log");

    public void Publish(ClusterInfo info)
    {
        Directory.CreateDirectory(_folder);
        WriteAtomically(InfoFile, JsonSerializer.Serialize(info, CliJson.Options));
    }

    public void Unpublish()
    {
        File.Delete(InfoFile);
        File.Delete(RequestFile);
    }

    /// <summary>The hosted cluster; an error when no <c>cluster run</c> is hosting one in this data folder.</summary>
    public ClusterInfo Read()
    {
        if (!File.Exists(InfoFile))
        {
            throw new CliException($"no cluster is running in '{Path.GetDirectoryName(_folder)}': start one with 'xinfra cluster run --data-dir ...'.");
        }

        var info = JsonSerializer.Deserialize<ClusterInfo>(File.ReadAllText(InfoFile), CliJson.Options)
            ?? throw new CliException($"'{InfoFile}' is empty.");
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(info.ProcessId);
        }
        catch (ArgumentException)
        {
            throw new CliException($"the cluster in '{Path.GetDirectoryName(_folder)}' was hosted by process {info.ProcessId}, which is gone.");
        }

        return info;
    }

    /// <summary>Asks the hosting process for a rolling restart with <paramref name="stepTimeout"/> per wait.</summary>
    public void RequestRollingRestart(TimeSpan stepTimeout)
    {
        File.Delete(LogFile);
        WriteAtomically(RequestFile, stepTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Takes a pending request (deleting it); null when there is none.</summary>
    public TimeSpan? TakeRequest()
    {
        if (!File.Exists(RequestFile))
        {
            return null;
        }

        var text = File.ReadAllText(RequestFile);
        File.Delete(RequestFile);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(2);
    }

    public void AppendLog(string line) => File.AppendAllLines(LogFile, [line]);

    public IReadOnlyList<string> ReadLog() => File.Exists(LogFile) ? File.ReadAllLines(LogFile) : [];

    private static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }
}
