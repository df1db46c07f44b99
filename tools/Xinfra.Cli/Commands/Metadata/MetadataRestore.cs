using Xinfra.Cli.Infrastructure;
using Xinfra.Northguard.Client;
using Xinfra.Northguard.Metadata.Client;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.StateMachine;

namespace Xinfra.Cli.Commands.Metadata;

/// <summary>What a restore did.</summary>
internal sealed record RestoreSummary(int TopicsCreated, int TopicsKept, int Acls, int Documents, int Positions, int PositionsSkipped, IReadOnlyList<string> Warnings);

/// <summary>
/// Restores a backup body into a cluster: topics with their policy and the same active range layout (the key bounds
/// of every active range; range ids differ), ACLs, documents (written unconditionally) and consumer group positions
/// moved to the new range with the same key bounds. Records are not part of a metadata backup.
/// </summary>
internal sealed class MetadataRestore(NorthguardMetadataClient metadata, NorthguardConsumerClient positions, ProgressBar progress)
{
    private readonly List<string> _warnings = [];

    public async Task<RestoreSummary> RunAsync(BackupBody body, IReadOnlySet<string> existingTopics, CancellationToken ct)
    {
        int total = body.Topics.Count + body.Acls.Count + body.Documents.Count + body.Positions.Count;
        int done = 0;
        int created = 0;
        var rangeMap = new Dictionary<(string Topic, ulong OldRange), ulong>();
        foreach (var topic in body.Topics)
        {
            progress.Report(done++, total, $"topic {topic.Name}");
            TopicDescription description;
            if (existingTopics.Contains(topic.Name))
            {
                description = await metadata.DescribeTopicAsync(topic.Name, ct);
                _warnings.Add($"topic '{topic.Name}' exists; kept as it is");
            }
            else
            {
                description = await CreateAsync(topic, ct);
                created++;
            }

            var active = description.Ranges.Where(r => r.State == RangeState.Active).ToDictionary(r => (r.KeyStart, r.KeyEnd), r => r.Id.Value);
            foreach (var old in topic.ActiveRanges)
            {
                if (active.TryGetValue((old.KeyStart, old.KeyEnd), out ulong now))
                {
                    rangeMap[(topic.Name, old.Id)] = now;
                }
            }
        }

        foreach (var acl in body.Acls)
        {
            progress.Report(done++, total, $"acl {acl.Topic} {acl.Principal}");
            await metadata.SetAclAsync(acl.Topic, acl.Principal, acl.Operations, ct);
        }

        foreach (var document in body.Documents)
        {
            progress.Report(done++, total, $"document {document.Key}");
            await metadata.PutDocumentAsync(document.Key, Convert.FromBase64String(document.ContentBase64), -1, ct);
        }

        int restored = 0;
        int skipped = 0;
        foreach (var p in body.Positions)
        {
            progress.Report(done++, total, $"position {p.Group} {p.Topic}");
            if (!rangeMap.TryGetValue((p.Topic, p.Range), out ulong range))
            {
                skipped++;
                _warnings.Add($"position of group '{p.Group}' on '{p.Topic}' range {p.Range} skipped: that range was not active at backup time or has no counterpart");
                continue;
            }

            await positions.CommitAsync(p.Group, p.Topic, range, p.Offset, ct);
            restored++;
        }

        progress.Report(total, total, "done");
        progress.Finish();
        return new RestoreSummary(created, body.Topics.Count - created, body.Acls.Count, body.Documents.Count, restored, skipped, _warnings);
    }

    /// <summary>Creates the topic with the backed-up active layout: N even ranges when it was even, else one range split at each bound.</summary>
    private async Task<TopicDescription> CreateAsync(BackupTopic topic, CancellationToken ct)
    {
        var policy = topic.Policy.ToPolicy();
        var bounds = topic.ActiveRanges.OrderBy(r => r.KeyStart).ToList();
        if (bounds.Count == 0 || IsEvenSplit(bounds))
        {
            return await metadata.CreateTopicAsync(topic.Name, policy, Math.Max(1, bounds.Count), ct);
        }

        var description = await metadata.CreateTopicAsync(topic.Name, policy, 1, ct);
        var right = description.Ranges[0].Id;
        foreach (var bound in bounds.Skip(1))
        {
            var children = await metadata.SplitRangeAsync(right, bound.KeyStart, ct);
            right = children[^1];
        }

        return await metadata.DescribeTopicAsync(topic.Name, ct);
    }

    private static bool IsEvenSplit(List<BackupRange> bounds)
    {
        int n = bounds.Count;
        for (int i = 0; i < n; i++)
        {
            ulong start = (ulong)(((UInt128)(uint)i << 64) / (uint)n);
            ulong end = i == n - 1 ? ulong.MaxValue : (ulong)(((UInt128)(uint)(i + 1) << 64) / (uint)n) - 1;
            if (bounds[i].KeyStart != start || bounds[i].KeyEnd != end)
            {
                return false;
            }
        }

        return true;
    }
}
