namespace Xinfra.Migration;

/// <summary>
/// Where a consumer group stands in a migration of one logical topic, in <b>source coordinates</b>: every source
/// offset below <see cref="SourceFloor"/> of its partition was delivered, and so was every offset in
/// <see cref="SourceDelivered"/> (records delivered from their target copies). Written at each flip of the epoch the
/// group reads, to the checkpoint topic on the target cluster; the newest one for a key wins.
/// </summary>
public sealed record MigrationCheckpoint
{
    /// <summary>Counts flips of the read epoch for this group and topic, starting at 1.</summary>
    public int Flip { get; init; }

    /// <summary>True when the group reads the target epoch since this flip.</summary>
    public bool ReadsTarget { get; init; }

    /// <summary>Per source partition: every offset below it was delivered.</summary>
    public Dictionary<long, long> SourceFloor { get; init; } = [];

    /// <summary>Per source partition: offsets at or above the floor delivered from target copies, as [start, end) pairs.</summary>
    public Dictionary<long, List<long[]>> SourceDelivered { get; init; } = [];

    /// <summary>
    /// True once a member checked, after this forward flip was written, that no member read the source past its floor
    /// since (written as a second record of the same flip; readers merge it into the first).
    /// </summary>
    public bool Confirmed { get; init; }

    /// <summary>Per target partition: where the group started reading the target at this flip (forward flips only).</summary>
    public Dictionary<long, long> TargetStart { get; init; } = [];

    /// <summary>The delivered set of a source partition beyond its floor.</summary>
    public OffsetIntervals Delivered(long partition)
    {
        var set = new OffsetIntervals();
        if (SourceDelivered.TryGetValue(partition, out var pairs))
        {
            foreach (var pair in pairs)
            {
                set.Add(pair[0], pair[1]);
            }
        }

        return set;
    }

    /// <summary>True when the record at source coordinates (<paramref name="partition"/>, <paramref name="offset"/>) was already delivered.</summary>
    public bool WasDelivered(long partition, long offset, IReadOnlyDictionary<long, OffsetIntervals> delivered) =>
        (SourceFloor.TryGetValue(partition, out var floor) && offset < floor)
        || (delivered.TryGetValue(partition, out var set) && set.Contains(offset));

    /// <summary>Converts interval sets back to the serialized form.</summary>
    public static Dictionary<long, List<long[]>> Serialize(IReadOnlyDictionary<long, OffsetIntervals> sets)
    {
        var result = new Dictionary<long, List<long[]>>();
        foreach (var (partition, set) in sets)
        {
            if (set.Intervals.Count > 0)
            {
                result[partition] = [.. set.Intervals.Select(i => new[] { i.Start, i.End })];
            }
        }

        return result;
    }
}
