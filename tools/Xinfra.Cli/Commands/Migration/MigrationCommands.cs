using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Xinfra.Cli.Infrastructure;
using Xinfra.Migration;
using Xinfra.Northguard.ConfigService.Client;
using Xinfra.Routing;

namespace Xinfra.Cli.Commands.Migration;

/// <summary>
/// <c>xinfra migration phase get|set</c> and <c>xinfra migration divergence</c>, on an appsettings file or on a
/// config-service document (published with compare-and-set on the version read).
/// </summary>
internal sealed class MigrationCommands : ICommandGroup
{
    private static readonly Argument<string> Topic = new("topic") { Description = "The logical topic (Xinfra:Topics:<topic>)." };
    private static readonly Argument<MigrationPhase> Phase = new("phase") { Description = "SourceOnly, DualWriteReadSource, DualWriteReadTarget or TargetOnly." };
    private static readonly Option<string?> Config = new("--config", "-c") { Description = "The appsettings JSON file holding the Xinfra section (or --document)." };
    private static readonly Option<string?> Document = new("--document", "-d") { Description = "A config-service document name (with --bootstrap) instead of --config: read and published through the brokers." };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Validate the change without writing the file." };
    private static readonly Option<string?> From = new("--from") { Description = "Window start (ISO 8601); default: --last before --to." };
    private static readonly Option<string?> To = new("--to") { Description = "Window end (ISO 8601); default: now." };
    private static readonly Option<string> Last = new("--last") { Description = "Window length when --from is not given.", DefaultValueFactory = _ => "1h" };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var phase = new Command("phase", "Read or change a topic's migration phase in an appsettings file or a config-service document.");
        var get = new Command("get", "Show the topic's phase, epochs and allowed next steps.") { Topic, Config, Document };
        CliAction.Set(get, context, GetAsync);
        var set = new Command("set", "Move the topic one phase forward or back, validated with the client's own rules, written atomically (or published as the document's next version).") { Topic, Phase, Config, Document, DryRun };
        CliAction.Set(set, context, SetAsync);
        phase.Subcommands.Add(get);
        phase.Subcommands.Add(set);
        var divergence = new Command("divergence", "Compare the source and target epochs of a migrating topic over a time window (exit 1 when they differ).") { Topic, Config, Document, From, To, Last };
        CliAction.Set(divergence, context, DivergenceAsync);
        var group = new Command("migration", "Migration phases and divergence reports.");
        group.Subcommands.Add(phase);
        group.Subcommands.Add(divergence);
        return group;
    }

    private static async Task<int> GetAsync(CliInvocation run, CancellationToken ct)
    {
        var (file, _) = await LoadAsync(run, ct);
        await using var disposeFile = file;
        var route = file.Route(run.Get(Topic)!);
        var result = new
        {
            topic = route.Topic,
            phase = route.Phase,
            source = route.Source.ToString(),
            target = route.Target?.ToString(),
            next = Steps(route.Phase, +1),
            back = Steps(route.Phase, -1),
        };
        run.Emit(result, o =>
        {
            o.WriteLine($"{route.Topic}: {route.Phase}");
            o.WriteLine($"  source  {route.Source.Cluster}/{route.Source.Name}");
            o.WriteLine($"  target  {(route.Target is { } t ? $"{t.Cluster}/{t.Name}" : "(none: one epoch)")}");
            o.WriteLine($"  next    {result.next?.ToString() ?? "-"}");
            o.WriteLine($"  back    {result.back?.ToString() ?? "-"}");
        });
        return ExitCodes.Ok;
    }

    private static async Task<int> SetAsync(CliInvocation run, CancellationToken ct)
    {
        string topic = run.Get(Topic)!;
        var phase = run.Get(Phase);
        var (file, document) = await LoadAsync(run, ct);
        await using var disposeFile = file;
        var before = file.Route(topic).Phase;
        var original = document is null ? await File.ReadAllBytesAsync(file.Path, ct) : XinfraConfigFile.Wrap(document.Content);
        var edited = AppSettingsPhaseEditor.SetPhase(original, XinfraOptions.SectionName, topic, phase);
        if (!file.Monitor.TryApply(XinfraConfigFile.Bind(edited), out var errors))
        {
            throw new CliException($"{topic}: {before} -> {phase} refused:{Environment.NewLine}{errors}", ExitCodes.Refused);
        }

        bool dryRun = run.Get(DryRun);
        if (!dryRun && before != phase)
        {
            if (document is null)
            {
                AppSettingsPhaseEditor.WriteAtomically(file.Path, edited);
            }
            else
            {
                await PublishAsync(run, document, XinfraConfigFile.Unwrap(edited), ct);
            }
        }

        run.Emit(new { topic, from = before, to = phase, written = !dryRun && before != phase, file = file.Path }, o => o.WriteLine(
            before == phase ? $"{topic} is already in {phase}; nothing written."
            : dryRun ? $"{topic}: {before} -> {phase} is allowed (dry run, {file.Path} not changed)."
            : $"{topic}: {before} -> {phase} written to {file.Path}. Running clients apply it on reload."));
        return ExitCodes.Ok;
    }

    private static async Task<int> DivergenceAsync(CliInvocation run, CancellationToken ct)
    {
        string topic = run.Get(Topic)!;
        var to = run.Get(To) is { } t ? ParseTime(t, "--to") : DateTimeOffset.UtcNow;
        var from = run.Get(From) is { } f ? ParseTime(f, "--from")
            : to - (Units.ParseDuration(run.Get(Last)!, "--last") ?? throw new CliException("--last: a window cannot be forever.", ExitCodes.Usage));
        if (from >= to)
        {
            throw new CliException($"--from {from:O} is not before --to {to:O}.", ExitCodes.Usage);
        }

        var (file, _) = await LoadAsync(run, ct);
        await using var disposeFile = file;
        file.Route(topic);
        var progress = run.Progress("divergence");
        progress.Report(0, 1, $"reading both epochs of {topic}");
        var checker = new DivergenceChecker(file.Monitor, file.Services.GetRequiredService<TransportRegistry>());
        var report = await checker.CheckAsync(topic, from, to, ct);
        progress.Report(1, 1, "done");
        progress.Finish();
        run.Emit(new
        {
            report.Topic,
            report.From,
            report.To,
            source = new { report.Source.Cluster, report.Source.Count, hash = report.Source.Hash.ToString("x16", CultureInfo.InvariantCulture) },
            target = new { report.Target.Cluster, report.Target.Count, hash = report.Target.Hash.ToString("x16", CultureInfo.InvariantCulture) },
            report.MissingOnTarget,
            report.MissingOnSource,
            report.Divergence,
            report.IsZero,
            report.Examples,
        }, o =>
        {
            o.WriteLine($"Divergence of {report.Topic} from {report.From:u} to {report.To:u}: {(report.IsZero ? "none" : Units.N(report.Divergence) + " record(s)")}");
            TableWriter.Write(o, ["SIDE", "CLUSTER", "RECORDS", "HASH", "MISSING ON THE OTHER SIDE"],
            [
                ["source", report.Source.Cluster, Units.N(report.Source.Count), report.Source.Hash.ToString("x16", CultureInfo.InvariantCulture), Units.N(report.MissingOnTarget)],
                ["target", report.Target.Cluster, Units.N(report.Target.Count), report.Target.Hash.ToString("x16", CultureInfo.InvariantCulture), Units.N(report.MissingOnSource)],
            ]);
            foreach (var example in report.Examples)
            {
                o.WriteLine($"  {example}");
            }
        });
        return report.IsZero ? ExitCodes.Ok : ExitCodes.Refused;
    }

    /// <summary>The configuration named by --config, or the config-service document named by --document (exactly one).</summary>
    private static async Task<(XinfraConfigFile File, PublishedConfigDocument? Document)> LoadAsync(CliInvocation run, CancellationToken ct)
    {
        var path = run.Get(Config);
        var name = run.Get(Document);
        if ((path is null) == (name is null))
        {
            throw new CliException("give either --config <appsettings.json> or --document <name> (with --bootstrap).", ExitCodes.Usage);
        }

        if (path is not null)
        {
            return (XinfraConfigFile.Load(path), null);
        }

        using var admin = new XinfraConfigAdminClient(run.Bootstrap()[0], security: run.Security());
        PublishedConfigDocument? document;
        try
        {
            document = await admin.GetAsync(name!, ct);
        }
        catch (XinfraException e)
        {
            throw new CliException($"--document {name}: {e.Message}");
        }
        catch (Grpc.Core.RpcException e)
        {
            throw new CliException($"--document {name}: the config service did not answer: {e.Status.Detail}");
        }

        if (document is null)
        {
            throw new CliException($"--document {name}: the config service has no such document.", ExitCodes.Refused);
        }

        return (XinfraConfigFile.LoadDocument($"config-service document '{name}' v{document.Version}", XinfraConfigFile.Wrap(document.Content)), document);
    }

    /// <summary>Publishes the edited document as the next version of the one read (refused if it changed meanwhile).</summary>
    private static async Task PublishAsync(CliInvocation run, PublishedConfigDocument read, string content, CancellationToken ct)
    {
        using var admin = new XinfraConfigAdminClient(run.Bootstrap()[0], security: run.Security());
        try
        {
            await admin.PublishAsync(read.Name, content, read.Version, ct);
        }
        catch (XinfraException e)
        {
            throw new CliException($"--document {read.Name}: publishing over version {read.Version} failed: {e.Message}", ExitCodes.Refused);
        }
        catch (Grpc.Core.RpcException e)
        {
            throw new CliException($"--document {read.Name}: the config service did not answer: {e.Status.Detail}");
        }
    }

    private static MigrationPhase? Steps(MigrationPhase phase, int step) =>
        (int)phase + step is >= (int)MigrationPhase.SourceOnly and <= (int)MigrationPhase.TargetOnly ? (MigrationPhase)((int)phase + step) : null;

    private static DateTimeOffset ParseTime(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new CliException($"{option}: '{text}' is not a date and time (ISO 8601, e.g. 2026-11-25T18:00:00Z).", ExitCodes.Usage);
}
