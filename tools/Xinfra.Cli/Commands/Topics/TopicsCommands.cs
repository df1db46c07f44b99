using System.CommandLine;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Cli.Commands.Topics;

/// <summary><c>xinfra topics create|list|describe|delete</c>.</summary>
internal sealed class TopicsCommands : ICommandGroup
{
    private static readonly Argument<string> Name = new("name") { Description = "The topic name." };

    /// <inheritdoc />
    public Command Create(CliContext context)
    {
        var group = new Command("topics", "Create, list, describe and delete Northguard topics.");
        group.Subcommands.Add(TopicCreateCommand.Create(context));
        group.Subcommands.Add(List(context));
        group.Subcommands.Add(Describe(context));
        group.Subcommands.Add(Delete(context));
        return group;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List every topic with its policy and ranges.");
        CliAction.Set(command, context, async (run, ct) =>
        {
            using var client = run.MetadataClient();
            var topics = await client.ListTopicsAsync(ct);
            var rows = topics.Select(TopicSummary.Of).ToList();
            run.Emit(rows, o => TableWriter.Write(o, ["TOPIC", "RANGES", "RF", "RETENTION", "SEGMENTS", "SEALED RECORDS"],
                rows.Select(t => (IReadOnlyList<string>)[t.Name, Units.N(t.ActiveRanges), Units.N(t.ReplicationFactor), Units.Duration(t.Retention),
                    Units.N(t.Segments), Units.N(t.SealedRecords)]), "no topics"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe(CliContext context)
    {
        var command = new Command("describe", "Show a topic's policy, ranges and segments with their replicas.") { Name };
        CliAction.Set(command, context, async (run, ct) =>
        {
            using var client = run.MetadataClient();
            var d = await client.DescribeTopicAsync(run.Get(Name)!, ct);
            var result = TopicDetails.Of(d);
            run.Emit(result, o =>
            {
                var p = d.Topic.Policy;
                o.WriteLine($"Topic {d.Topic.Name}: RF {p.ReplicationFactor}, retention {Units.Duration(p.RetentionTime)}"
                    + $"{(p.RetentionBytes is { } rb ? $" / {Units.Bytes(rb)} per range" : string.Empty)}, segments roll at {Units.Bytes(p.SegmentBytes)} or {Units.Duration(p.SegmentAge)}");
                o.WriteLine();
                TableWriter.Write(o, ["RANGE", "STATE", "KEY START", "KEY END", "SEGMENTS"],
                    d.Ranges.Select(r => (IReadOnlyList<string>)[r.Id.ToString(), r.State.ToString(), $"{r.KeyStart:x16}", $"{r.KeyEnd:x16}", Units.N(r.SegmentCount)]));
                o.WriteLine();
                TableWriter.Write(o, ["SEGMENT", "STATE", "REPLICAS", "END OFFSET"],
                    d.Segments.Select(s => (IReadOnlyList<string>)[s.Id.ToString(), s.State.ToString(), string.Join(',', s.Replicas),
                        s.State == SegmentState.Sealed ? Units.N(s.EndOffset) : "-"]), "no segments yet");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var command = new Command("delete", "Delete a topic with its ranges, segments and ACLs.") { Name };
        CliAction.Set(command, context, async (run, ct) =>
        {
            string name = run.Get(Name)!;
            using var client = run.MetadataClient();
            await client.DeleteTopicAsync(name, ct);
            run.Emit(new { topic = name, deleted = true }, o => o.WriteLine($"Deleted topic {name}."));
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>One line of <c>topics list</c>.</summary>
internal sealed record TopicSummary(string Name, int ActiveRanges, int ReplicationFactor, TimeSpan? Retention, long? RetentionBytes, int Segments, long SealedRecords)
{
    public static TopicSummary Of(TopicDescription d) => new(d.Topic.Name, d.Ranges.Count(r => r.State == RangeState.Active), d.Topic.Policy.ReplicationFactor,
        d.Topic.Policy.RetentionTime, d.Topic.Policy.RetentionBytes, d.Segments.Count, SealedRecordsOf(d));

    private static long SealedRecordsOf(TopicDescription d)
    {
        long total = 0;
        foreach (var range in d.Ranges)
        {
            var sealedSegments = d.Segments.Where(s => s.Id.Range == range.Id && s.State == SegmentState.Sealed).ToList();
            total += sealedSegments.Count == 0 ? 0 : sealedSegments.Max(s => s.EndOffset);
        }

        return total;
    }
}

/// <summary>The <c>--json</c> form of <c>topics describe</c>.</summary>
internal sealed record TopicDetails(string Name, StoragePolicy Policy, IReadOnlyList<TopicDetails.Range> Ranges, IReadOnlyList<TopicDetails.Segment> Segments)
{
    public static TopicDetails Of(TopicDescription d) => new(d.Topic.Name, d.Topic.Policy,
        [.. d.Ranges.Select(r => new Range(r.Id.Value, r.State.ToString(), r.KeyStart, r.KeyEnd, [.. r.Parents.Select(p => p.Value)], [.. r.Children.Select(c => c.Value)], r.SegmentCount))],
        [.. d.Segments.Select(s => new Segment(s.Id.Range.Value, s.Id.Sequence, s.State.ToString(), s.Replicas, s.EndOffset))]);

    /// <summary>A range.</summary>
    public sealed record Range(ulong Id, string State, ulong KeyStart, ulong KeyEnd, IReadOnlyList<ulong> Parents, IReadOnlyList<ulong> Children, int SegmentCount);

    /// <summary>A segment.</summary>
    public sealed record Segment(ulong Range, int Sequence, string State, IReadOnlyList<ulong> Replicas, long EndOffset);
}
