using System.Text;
using Xinfra.Northguard.Metadata.Commands;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Tests.Raft.Linearizability;
using Xinfra.Simulator.Engine;
using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Clients;

/// <summary>
/// The operator: creates the workload topics, then splits and merges their ranges (sealing the open segments
/// first), creates and deletes short-lived topics, and runs a put/get workload on config documents whose history
/// the linearizability checker verifies.
/// </summary>
internal sealed class SimAdmin(SimWorld world, int id, IReadOnlyList<(string Name, int ReplicationFactor, int Ranges)> topics) : SimClient(world, id)
{
    private readonly List<string> _ephemeral = [];
    private int _nextEphemeral;
    private int _nextOp;

    public bool Ready { get; private set; }

    public long StopAt { get; set; } = long.MaxValue;

    public int Splits { get; private set; }

    public int Merges { get; private set; }

    public IReadOnlyList<string> Ephemeral => _ephemeral;

    public void Start()
    {
        World.Loop.Spawn("admin", RunAsync);
        World.Loop.Spawn("documents", DocumentsAsync);
    }

    private async Task RunAsync()
    {
        foreach (var (name, rf, ranges) in topics)
        {
            while (true)
            {
                var result = await Meta.WriteAsync(new CreateTopicCommand(name, Workloads.RetentionWorkload.PolicyFor(name, rf, World.Options.Retention), ranges));
                if (result is { Status: MetadataStatus.Ok or MetadataStatus.TopicExists })
                {
                    break;
                }

                await World.Loop.Delay(SimLoop.Ms(200));
            }
        }

        World.Trace.Write("admin: topics created");
        Ready = true;
        while (World.Loop.Now < StopAt)
        {
            await World.Loop.Delay(SimLoop.Ms(1000 + Random.Next(2000)));
            int action = Random.Next(10);
            if (action < 4)
            {
                await SplitAsync(topics[Random.Next(topics.Count)].Name);
            }
            else if (action < 7)
            {
                await MergeAsync(topics[Random.Next(topics.Count)].Name);
            }
            else if (action < 9 || _ephemeral.Count == 0)
            {
                string name = $"e{_nextEphemeral++}";
                var result = await Meta.WriteAsync(new CreateTopicCommand(name, StoragePolicy.Default with { ReplicationFactor = 2 }, 1));
                if (result is { IsOk: true })
                {
                    _ephemeral.Add(name);
                }
            }
            else
            {
                string name = _ephemeral[Random.Next(_ephemeral.Count)];
                var result = await Meta.WriteAsync(new DeleteTopicCommand(name));
                if (result is { Status: MetadataStatus.Ok or MetadataStatus.UnknownTopic })
                {
                    _ephemeral.Remove(name);
                }
            }
        }
    }

    private async Task SplitAsync(string topic)
    {
        var (_, description) = await Meta.DescribeAsync(topic);
        if (description is null)
        {
            return;
        }

        var active = description.Ranges.Where(r => r.State == RangeState.Active && r.KeyEnd - r.KeyStart > (1UL << 40)).ToList();
        if (active.Count == 0 || active.Count >= 6)
        {
            return;
        }

        var range = active[Random.Next(active.Count)];
        ulong at = range.KeyStart + ((range.KeyEnd - range.KeyStart) / 2) + 1;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await SealOpenSegmentAsync(topic, range.Id);
            var result = await Meta.WriteAsync(new SplitRangeCommand(range.Id, at));
            if (result is { IsOk: true })
            {
                Splits++;
                World.Trace.Write($"admin split {topic} {range.Id} at {at:x}");
                return;
            }
        }
    }

    private async Task MergeAsync(string topic)
    {
        var (_, description) = await Meta.DescribeAsync(topic);
        if (description is null)
        {
            return;
        }

        var active = description.Ranges.Where(r => r.State == RangeState.Active).OrderBy(r => r.KeyStart).ToList();
        if (active.Count < 2)
        {
            return;
        }

        int i = Random.Next(active.Count - 1);
        var (left, right) = (active[i], active[i + 1]);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            await SealOpenSegmentAsync(topic, left.Id);
            await SealOpenSegmentAsync(topic, right.Id);
            var result = await Meta.WriteAsync(new MergeRangesCommand(left.Id, right.Id));
            if (result is { IsOk: true })
            {
                Merges++;
                World.Trace.Write($"admin merged {topic} {left.Id}+{right.Id}");
                return;
            }
        }
    }

    private async Task SealOpenSegmentAsync(string topic, Xinfra.Northguard.Metadata.Ring.RangeId range)
    {
        var (_, description) = await Meta.DescribeAsync(topic);
        if (description is null)
        {
            return;
        }

        var chain = Chain(description, range);
        if (chain.Count == 0 || chain[^1].Segment.State != SegmentState.Open)
        {
            return;
        }

        var (segment, baseOffset) = chain[^1];
        var reference = new SegmentRef(segment.Id, topic, baseOffset, [.. segment.Replicas]);
        if (await Rpc.CallAsync((int)segment.Replicas[0], new SealNowRequest(reference), SimLoop.Ms(1000)) is not Done { Ok: true })
        {
            await Rpc.CallAsync((int)segment.Replicas[1], new SealOrphanRequest(reference), SimLoop.Ms(1500));
        }
    }

    /// <summary>Puts (unique values) and gets on two document keys, recorded as a history for the linearizability check.</summary>
    private async Task DocumentsAsync()
    {
        while (World.Loop.Now < StopAt)
        {
            await World.Loop.Delay(SimLoop.Ms(100 + Random.Next(400)));
            string key = $"doc-{Random.Next(2)}";
            int op = _nextOp++;
            long call = World.Loop.Now;
            if (Random.Next(2) == 0)
            {
                string value = $"v{op}";
                var result = await Meta.WriteAsync(new PutDocumentCommand(key, Encoding.UTF8.GetBytes(value), -1), retryAfterTimeout: false);
                long ret = result is null ? KvOperation.Unknown : World.Loop.Now;
                World.Checker.Documents.Add(new KvOperation(op, key, KvOpKind.Put, value, call, ret));
            }
            else
            {
                var (answered, document) = await Meta.GetDocumentAsync(key);
                string? value = document is null ? null : Encoding.UTF8.GetString(document.Content.Span);
                World.Checker.Documents.Add(new KvOperation(op, key, KvOpKind.Get, value, call, answered ? World.Loop.Now : KvOperation.Unknown));
            }
        }
    }
}
