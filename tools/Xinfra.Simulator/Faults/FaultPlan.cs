using Xinfra.Simulator.Runner;

namespace Xinfra.Simulator.Faults;

/// <summary>
/// The faults of a run, generated from the seed alone (so a fault kept or dropped by shrinking does not change the
/// others). <see cref="SimOptions.KeepFaults"/> selects a subset.
/// </summary>
internal sealed class FaultPlan
{
    private FaultPlan(IReadOnlyList<Fault> all, IReadOnlyList<Fault> active)
    {
        All = all;
        Active = active;
    }

    public IReadOnlyList<Fault> All { get; }

    public IReadOnlyList<Fault> Active { get; }

    public static FaultPlan Generate(SimOptions options)
    {
        var random = new Random(unchecked((int)(options.Seed * 0x9E3779B1L) ^ 0x0fa17));
        long end = (long)(options.Duration.Ticks * 0.7);
        long start = TimeSpan.FromSeconds(3).Ticks;
        int count = Math.Max(1, (int)(options.Duration.TotalMinutes * options.FaultsPerMinute));
        var kinds = Enum.GetValues<FaultKind>();
        var all = new List<Fault>();
        for (int i = 0; i < count && end > start; i++)
        {
            var kind = kinds[random.Next(kinds.Length)];
            long at = start + random.NextInt64(end - start);
            int a = 1 + random.Next(options.Brokers);
            int b = 1 + ((a + random.Next(options.Brokers - 1)) % options.Brokers);
            long duration = TimeSpan.FromMilliseconds(200 + random.Next(4000)).Ticks;
            if (kind == FaultKind.ClockJump)
            {
                b = random.Next(2) == 0 ? -random.Next(1, 120_000) : random.Next(1, 120_000);
            }

            all.Add(new Fault(i, at, kind, a, b, duration));
        }

        all.Sort((x, y) => x.AtTicks != y.AtTicks ? x.AtTicks.CompareTo(y.AtTicks) : x.Index.CompareTo(y.Index));
        var keep = options.KeepFaults is null ? null : new HashSet<int>(options.KeepFaults);
        return new FaultPlan(all, [.. all.Where(f => keep is null || keep.Contains(f.Index))]);
    }
}
