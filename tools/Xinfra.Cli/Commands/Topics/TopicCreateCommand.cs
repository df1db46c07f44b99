using System.CommandLine;
using Xinfra.Cli.Commands.Brokers;
using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Cli.Commands.Topics;

/// <summary><c>xinfra topics create</c>: onboarding with a capacity check.</summary>
internal static class TopicCreateCommand
{
    private static readonly Argument<string> Name = new("name") { Description = "The topic name." };
    private static readonly Option<int> Ranges = new("--ranges") { Description = "Initial ranges (1-1024).", DefaultValueFactory = _ => 1 };
    private static readonly Option<int> Replication = new("--replication-factor", "-r") { Description = "Replicas per segment (1-7).", DefaultValueFactory = _ => 3 };
    private static readonly Option<string> Retention = new("--retention") { Description = "How long sealed segments are kept: 12h, 7d, forever.", DefaultValueFactory = _ => "7d" };
    private static readonly Option<string?> RetentionBytes = new("--retention-bytes") { Description = "Size kept per range (e.g. 50GB); default: no size limit." };
    private static readonly Option<string> SegmentBytes = new("--segment-bytes") { Description = "Segment size before it is sealed.", DefaultValueFactory = _ => "1GiB" };
    private static readonly Option<string> SegmentAge = new("--segment-age") { Description = "Segment age before it is sealed.", DefaultValueFactory = _ => "1h" };
    private static readonly Option<double> Throughput = new("--throughput-mbps") { Description = "Expected produce throughput in MB/s (10^6 bytes), before replication.", DefaultValueFactory = _ => 0 };
    private static readonly Option<double?> BrokerBudget = new("--broker-throughput-mbps") { Description = "Per-broker write budget in MB/s; default: what each broker reports (NorthguardBrokerOptions.ThroughputBudgetBytesPerSecond)." };
    private static readonly Option<double> Reserve = new("--disk-reserve-percent") { Description = "Share of each volume kept free.", DefaultValueFactory = _ => 10 };
    private static readonly Option<bool> Force = new("--force") { Description = "Create even when the capacity check fails (prints it as a warning)." };
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Only run the capacity check." };

    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("create", "Create a topic after checking that the live brokers can hold its throughput x retention x replication factor.")
        {
            Name, Ranges, Replication, Retention, RetentionBytes, SegmentBytes, SegmentAge, Throughput, BrokerBudget, Reserve, Force, DryRun,
        };
        CliAction.Set(command, context, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliInvocation run, CancellationToken ct)
    {
        string name = run.Get(Name)!;
        var policy = new StoragePolicy
        {
            ReplicationFactor = run.Get(Replication),
            RetentionTime = Units.ParseDuration(run.Get(Retention)!, "--retention"),
            RetentionBytes = run.Get(RetentionBytes) is { } rb ? Units.ParseSize(rb, "--retention-bytes") : null,
            SegmentBytes = Units.ParseSize(run.Get(SegmentBytes)!, "--segment-bytes"),
            SegmentAge = Units.ParseDuration(run.Get(SegmentAge)!, "--segment-age") ?? throw new CliException("--segment-age: a segment age cannot be forever.", ExitCodes.Usage),
        };
        if (policy.Validate() is { } problem)
        {
            throw new CliException($"topic '{name}': {problem}", ExitCodes.Usage);
        }

        int ranges = run.Get(Ranges);
        if (ranges is < 1 or > 1024)
        {
            throw new CliException($"--ranges: {ranges} is not between 1 and 1024.", ExitCodes.Usage);
        }

        double mbps = run.Get(Throughput);
        if (mbps < 0 || double.IsNaN(mbps))
        {
            throw new CliException("--throughput-mbps: must be zero or positive.", ExitCodes.Usage);
        }

        if (mbps == 0)
        {
            run.Warn("no --throughput-mbps given: the capacity check only counts live brokers against the replication factor");
        }

        using var client = run.MetadataClient();
        var brokers = await client.ListBrokersAsync(ct);
        var unreachable = new List<ulong>();
        var storage = await BrokerStorage.CollectAsync(brokers, run.Timeout, unreachable, ct, run.Security());
        if (unreachable.Count > 0)
        {
            run.Warn($"brokers {string.Join(", ", unreachable)} did not report their storage and are not counted");
        }

        var request = new CapacityRequest((long)(mbps * 1e6), policy.RetentionTime, policy.RetentionBytes, ranges, policy.ReplicationFactor);
        long? budget = run.Get(BrokerBudget) is { } b ? (long)(b * 1e6) : null;
        var capacity = CapacityCheck.Evaluate(request, storage, run.Get(Reserve), budget);
        bool force = run.Get(Force);
        bool dryRun = run.Get(DryRun);
        if (!capacity.Fits && !force || dryRun)
        {
            run.Emit(new { topic = name, created = false, capacity }, o => WriteCapacity(o, name, capacity));
            if (!capacity.Fits && !run.Json)
            {
                run.Context.Error.WriteLine($"error: the cluster cannot hold topic '{name}' (use --force to create it anyway).");
            }

            return capacity.Fits ? ExitCodes.Ok : ExitCodes.Refused;
        }

        if (!capacity.Fits)
        {
            foreach (var p in capacity.Problems)
            {
                run.Warn($"capacity: {p} (created anyway: --force)");
            }
        }

        var created = await client.CreateTopicAsync(name, policy, ranges, ct);
        run.Emit(new { topic = name, created = true, forced = !capacity.Fits, capacity, description = TopicDetails.Of(created) }, o =>
        {
            WriteCapacity(o, name, capacity);
            o.WriteLine($"Created topic {name} with {ranges} range(s), RF {policy.ReplicationFactor}, retention {Units.Duration(policy.RetentionTime)}.");
        });
        return ExitCodes.Ok;
    }

    private static void WriteCapacity(TextWriter o, string name, CapacityReport c)
    {
        o.WriteLine($"Capacity check for {name}: {(c.Fits ? "fits" : "DOES NOT FIT")}");
        o.WriteLine($"  live brokers       {c.LiveBrokers}");
        o.WriteLine($"  storage needed     {(c.RequiredBytes is { } r ? Units.Bytes(r) : "unbounded")} of {Units.Bytes(c.AvailableBytes)} free");
        o.WriteLine($"  replica writes     {Units.Bytes(c.RequiredBytesPerSecond)}/s of {Units.Bytes(c.BudgetBytesPerSecond)}/s budget");
        foreach (var p in c.Problems)
        {
            o.WriteLine($"  problem: {p}");
        }
    }
}
