using Xinfra.Northguard.Metadata.Model;
using Xinfra.Simulator.Checks;

namespace Xinfra.Simulator.Workloads;

/// <summary>
/// The oracle of the migration workload. Producers report sends, attempts (physical topic and segment) and acks;
/// consumers report deliveries with the epoch they came from. Checked: no acknowledged record lost (each group
/// delivers it, from whichever epoch, by the end), per-key order of acknowledged records, and a record delivered twice
/// only when one of its physical topics got it in two segments (a retry after a seal: the ordinary at-least-once
/// window) — a repeat made by a flip, an outbox replay or a rollback is a violation.
/// </summary>
internal sealed class MigrationChecker(InvariantChecker checker)
{
    private readonly Dictionary<string, Sent> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<int, View> _views = [];

    public long Acked { get; private set; }

    public long Delivered { get; private set; }

    public long Duplicates { get; private set; }

    public long FromTarget { get; private set; }

    public void Fail(string what) => checker.Fail($"migration: {what}");

    public void OnSent(string id, string key, int producer, long n) => _sent[id] = new Sent(key, producer, n);

    /// <summary>The record goes to <paramref name="segment"/> of <paramref name="topic"/> (directly or from the outbox).</summary>
    public void OnAttempt(string id, string topic, SegmentId segment) => _sent[id].Segments.Add((topic, segment));

    public void OnAck(string id)
    {
        var sent = _sent[id];
        if (!sent.Acked)
        {
            sent.Acked = true;
            Acked++;
        }
    }

    public void OnDeliver(int group, string id, string key, bool fromTarget)
    {
        Delivered++;
        FromTarget += fromTarget ? 1 : 0;
        if (!_sent.TryGetValue(id, out var sent) || sent.Key != key)
        {
            Fail($"group {group} got a record never sent: {key}={id}");
            return;
        }

        if (!_views.TryGetValue(group, out var view))
        {
            _views[group] = view = new View();
        }

        if (!view.Seen.Add(id))
        {
            Duplicates++;
            if (!sent.Segments.GroupBy(s => s.Topic).Any(g => g.Count() >= 2))
            {
                Fail($"group {group} got {key}={id} twice (now from the {(fromTarget ? "target" : "source")}), but no physical topic got it in two segments: a repeat across a flip");
            }

            return;
        }

        if (!sent.Acked)
        {
            // The application was told this record failed (or never heard back): it may surface, in any order.
            return;
        }

        var order = (sent.Producer, key);
        if (view.LastN.TryGetValue(order, out long last) && last > sent.N)
        {
            Fail($"group {group}: per-key order broken on {key}: acknowledged record #{sent.N} of producer {sent.Producer} after #{last} (now from the {(fromTarget ? "target" : "source")})");
        }

        view.LastN[order] = Math.Max(last, sent.N);
    }

    /// <summary>Acknowledged records <paramref name="group"/> has not delivered.</summary>
    public List<string> Missing(int group)
    {
        var seen = _views.TryGetValue(group, out var view) ? view.Seen : [];
        return [.. _sent.Where(s => s.Value.Acked && !seen.Contains(s.Key)).Select(s => $"{s.Value.Key}={s.Key}")];
    }

    private sealed class Sent(string key, int producer, long n)
    {
        public string Key => key;

        public int Producer => producer;

        public long N => n;

        public bool Acked { get; set; }

        public HashSet<(string Topic, SegmentId Segment)> Segments { get; } = [];
    }

    private sealed class View
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

        public Dictionary<(int Producer, string Key), long> LastN { get; } = [];
    }
}
