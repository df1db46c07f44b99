using System.CommandLine;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Client;

namespace Xinfra.Cli.Commands.Metadata;

/// <summary><c>xinfra metadata backup|restore</c>.</summary>
internal sealed class MetadataCommands : ICommandGroup
{
    private static readonly Option<string> Out = new("--out", "-o") { Description = "The backup file to write.", Required = true };
    private static readonly Option<string> In = new("--in", "-i") { Description = "The backup file to read.", Required = true };
    private static readonly Option<bool> Force = new("--force") { Description = "Restore into a cluster that already has topics or documents (existing topics are kept, documents overwritten)." };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var group = new Command("metadata", "Back up the cluster metadata to a file and restore it into an empty cluster.");
        var backup = new Command("backup", "Write topics, policies, range layouts, ACLs, documents (routes, apps) and consumer group positions to a versioned JSON file with a checksum.") { Out };
        CliAction.Set(backup, context, BackupAsync);
        var restore = new Command("restore", "Restore a backup file into an empty cluster; refuses a non-empty one unless --force.") { In, Force };
        CliAction.Set(restore, context, RestoreAsync);
        group.Subcommands.Add(backup);
        group.Subcommands.Add(restore);
        return group;
    }

    private static async Task<int> BackupAsync(CliInvocation run, CancellationToken ct)
    {
        string path = run.Get(Out)!;
        var progress = run.Progress("backup");
        using var client = run.MetadataClient();
        progress.Report(0, 2, "reading every vnode");
        var export = await client.ExportAsync(ct);
        var body = MetadataBackup.FromExport(export, DateTimeOffset.UtcNow, run.Bootstrap());
        progress.Report(1, 2, $"writing {path}");
        await MetadataBackup.WriteAsync(path, body, ct);
        progress.Report(2, 2, "done");
        progress.Finish();
        var summary = new { file = Path.GetFullPath(path), topics = body.Topics.Count, acls = body.Acls.Count, documents = body.Documents.Count, positions = body.Positions.Count };
        run.Emit(summary, o => o.WriteLine($"Backed up {summary.topics} topic(s), {summary.acls} ACL(s), {summary.documents} document(s), {summary.positions} group position(s) to {summary.file}."));
        return ExitCodes.Ok;
    }

    private static async Task<int> RestoreAsync(CliInvocation run, CancellationToken ct)
    {
        var body = await MetadataBackup.ReadAsync(run.Get(In)!, ct);
        using var client = run.MetadataClient();
        var current = await client.ExportAsync(ct);
        bool empty = current.Topics.Count == 0 && current.Documents.Count == 0 && current.Acls.Count == 0;
        if (!empty && !run.Get(Force))
        {
            throw new CliException(
                $"the cluster is not empty ({current.Topics.Count} topic(s), {current.Documents.Count} document(s)); restore goes into an empty cluster, or use --force.",
                ExitCodes.Refused);
        }

        await using var consumer = new NorthguardConsumerClient(run.ClientOptions());
        var restore = new MetadataRestore(client, consumer, run.Progress("restore"));
        var summary = await restore.RunAsync(body, current.Topics.Select(t => t.Topic.Name).ToHashSet(StringComparer.Ordinal), ct);
        foreach (var warning in summary.Warnings)
        {
            run.Warn(warning);
        }

        run.Emit(summary, o => o.WriteLine(
            $"Restored {summary.TopicsCreated} topic(s) ({summary.TopicsKept} kept), {summary.Acls} ACL(s), {summary.Documents} document(s), "
            + $"{summary.Positions} group position(s) ({summary.PositionsSkipped} skipped) from a backup of {body.CreatedAt:u}."));
        return ExitCodes.Ok;
    }
}
