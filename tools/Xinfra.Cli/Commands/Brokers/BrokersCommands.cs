using System.CommandLine;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Operations;

namespace Xinfra.Cli.Commands.Brokers;

/// <summary><c>xinfra brokers list|safe-to-restart</c>.</summary>
internal sealed class BrokersCommands : ICommandGroup
{
    private static readonly Argument<ulong> Id = new("id") { Description = "The broker id." };
    private static readonly Option<int> Wait = new("--wait") { Description = "Seconds to keep asking until the answer is YES (0: answer now).", DefaultValueFactory = _ => 0 };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var group = new Command("brokers", "List brokers and check whether one may restart.");
        group.Subcommands.Add(List(context));
        group.Subcommands.Add(SafeToRestart(context));
        return group;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List brokers with liveness, disk and stored bytes.");
        CliAction.Set(command, context, async (run, ct) =>
        {
            using var client = run.MetadataClient();
            var brokers = await client.ListBrokersAsync(ct);
            var storage = (await BrokerStorage.CollectAsync(brokers, run.Timeout, [], ct, run.Security())).ToDictionary(s => s.BrokerId);
            var rows = brokers.OrderBy(b => b.Id).Select(b => new
            {
                id = b.Id,
                endpoint = $"{b.Host}:{b.Port}",
                live = b.IsLive,
                attributes = b.Attributes,
                storage = storage.GetValueOrDefault(b.Id),
            }).ToList();
            run.Emit(rows, o => TableWriter.Write(o, ["ID", "ENDPOINT", "LIVE", "DISK FREE", "DISK TOTAL", "STORED", "BUDGET", "ATTRIBUTES"],
                rows.Select(r => (IReadOnlyList<string>)[Units.N((long)r.id), r.endpoint, r.live ? "yes" : "NO",
                    r.storage is { } s ? Units.Bytes(s.DiskFreeBytes) : "-", r.storage is { } t ? Units.Bytes(t.DiskTotalBytes) : "-",
                    r.storage is { } u ? Units.Bytes(u.StoredBytes) : "-", r.storage is { } v ? $"{Units.Bytes(v.ThroughputBudgetBytesPerSecond)}/s" : "-",
                    string.Join(',', r.attributes.Select(a => $"{a.Key}={a.Value}"))]), "no brokers"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SafeToRestart(CliContext context)
    {
        var command = new Command("safe-to-restart",
            "The patching check: YES (exit 0) when no segment with a replica on the broker is under-replicated or would lose its last live replica; NO (exit 1) listing the segments otherwise.")
        {
            Id, Wait,
        };
        CliAction.Set(command, context, async (run, ct) =>
        {
            ulong id = run.Get(Id);
            using var client = run.MetadataClient();
            var deadline = DateTimeOffset.UtcNow.AddSeconds(run.Get(Wait));
            var progress = run.Progress($"broker {id}");
            while (true)
            {
                var report = await EvaluateAsync(client, id, ct);
                if (report.Safe || DateTimeOffset.UtcNow >= deadline)
                {
                    progress.Finish();
                    Write(run, report);
                    return report.Safe ? ExitCodes.Ok : ExitCodes.Refused;
                }

                progress.Report(0, 1, $"waiting: {report.Blocking.Count} segment(s) block the restart");
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        });
        return command;
    }

    /// <summary>The patching check of broker <paramref name="id"/> on the cluster behind <paramref name="client"/>.</summary>
    public static async Task<RestartSafetyReport> EvaluateAsync(NorthguardMetadataClient client, ulong id, CancellationToken ct)
    {
        var brokers = await client.ListBrokersAsync(ct);
        if (brokers.All(b => b.Id != id))
        {
            throw new CliException($"broker {id} is not a member of the cluster (brokers: {string.Join(", ", brokers.Select(b => b.Id).Order())}).");
        }

        var topics = await client.ListTopicsAsync(ct);
        return RestartSafety.Evaluate(id, topics, brokers);
    }

    private static void Write(CliInvocation run, RestartSafetyReport report) =>
        run.Emit(new
        {
            brokerId = report.BrokerId,
            safe = report.Safe,
            segmentsOnBroker = report.SegmentsOnBroker,
            blocking = report.Blocking.Select(b => new
            {
                topic = b.Topic,
                range = b.Segment.Id.Range.Value,
                sequence = b.Segment.Id.Sequence,
                state = b.Segment.State.ToString(),
                replicas = b.Segment.Replicas,
                replicationFactor = b.ReplicationFactor,
                liveReplicas = b.LiveReplicas,
                reason = b.Reason.ToString(),
            }),
        }, o =>
        {
            if (report.Safe)
            {
                o.WriteLine($"YES: broker {report.BrokerId} is safe to restart ({report.SegmentsOnBroker} segment(s) on it, all fully replicated on live brokers).");
                return;
            }

            o.WriteLine($"NO: restarting broker {report.BrokerId} would leave {report.Blocking.Count} segment(s) below their replication factor:");
            TableWriter.Write(o, ["TOPIC", "SEGMENT", "STATE", "REPLICAS", "LIVE/RF", "REASON"],
                report.Blocking.Select(b => (IReadOnlyList<string>)[b.Topic, b.Segment.Id.ToString(), b.Segment.State.ToString(), string.Join(',', b.Segment.Replicas),
                    $"{b.LiveReplicas}/{b.ReplicationFactor}", b.Reason.ToString()]));
        });
}
