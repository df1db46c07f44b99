using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

/// <summary>
/// Which types the whole process allocates, from the runtime's <c>GCAllocationTick</c> events (one event about every
/// 100 KB allocated, naming the type of the allocation that crossed the mark): a sampled, in-process view of where the
/// bytes per record come from, client and brokers together.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _on;

    public void Start() => _on = true;

    public void Stop() => _on = false;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick at Verbose
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || !e.EventName!.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null)
        {
            return;
        }

        int type = e.PayloadNames!.IndexOf("TypeName");
        int amount = e.PayloadNames.IndexOf("AllocationAmount64");
        if (type >= 0 && amount >= 0 && e.Payload[type] is string name && e.Payload[amount] is ulong bytes)
        {
            _bytes.AddOrUpdate(name, (long)bytes, (_, total) => total + (long)bytes);
        }
    }

    /// <summary>The <paramref name="top"/> types by sampled bytes, as bytes per record over <paramref name="records"/>.</summary>
    public void Print(long records, int top = 12)
    {
        long total = _bytes.Values.Sum();
        Console.WriteLine($"| allocated type (sampled, whole process) | B/rec | share |");
        Console.WriteLine("|---|---|---|");
        foreach (var (name, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"| `{name}` | {(double)bytes / records:F0} | {(double)bytes / total:P0} |");
        }
    }
}
