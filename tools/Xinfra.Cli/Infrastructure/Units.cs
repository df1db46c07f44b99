using System.Globalization;

namespace Xinfra.Cli.Infrastructure;

/// <summary>Parses and prints sizes and durations the way operators type them.</summary>
internal static class Units
{
    /// <summary>
    /// Parses a duration: a number with a unit <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c> or <c>w</c>
    /// (<c>90s</c>, <c>12h</c>, <c>7d</c>); <c>forever</c> (or <c>-1</c>) is null. Throws a usage error naming <paramref name="option"/>.
    /// </summary>
    public static TimeSpan? ParseDuration(string text, string option)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t is "forever" or "infinite" or "-1")
        {
            return null;
        }

        (string unit, double factor)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)];
        foreach (var (unit, factor) in units)
        {
            if (t.EndsWith(unit, StringComparison.Ordinal)
                && double.TryParse(t[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n > 0
                && (unit != "m" || !t.EndsWith("ms", StringComparison.Ordinal)))
            {
                return TimeSpan.FromSeconds(n * factor);
            }
        }

        throw new CliException($"{option}: '{text}' is not a duration (e.g. 90s, 30m, 12h, 7d, forever).", ExitCodes.Usage);
    }

    /// <summary>Parses a size: bytes, or a number with <c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c> (powers of 1000) or <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>.</summary>
    public static long ParseSize(string text, string option)
    {
        var t = text.Trim();
        (string unit, double factor)[] units = [("KiB", 1024d), ("MiB", 1024d * 1024), ("GiB", 1024d * 1024 * 1024), ("TiB", 1024d * 1024 * 1024 * 1024),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1)];
        foreach (var (unit, factor) in units)
        {
            if (t.EndsWith(unit, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(t[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n > 0)
            {
                return (long)(n * factor);
            }
        }

        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes) && bytes > 0
            ? bytes
            : throw new CliException($"{option}: '{text}' is not a size (e.g. 500MB, 2GiB, 1048576).", ExitCodes.Usage);
    }

    /// <summary>A size for people: <c>1.5 GB</c>.</summary>
    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
        int i = 0;
        while (Math.Abs(bytes) >= 1000 && i < units.Length - 1)
        {
            bytes /= 1000;
            i++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[i]}");
    }

    /// <summary>A duration for people: <c>7d</c>, <c>12h</c>, <c>forever</c>.</summary>
    public static string Duration(TimeSpan? span) => span switch
    {
        null => "forever",
        { TotalDays: >= 1 } d when d.TotalDays == Math.Floor(d.TotalDays) => string.Create(CultureInfo.InvariantCulture, $"{d.TotalDays:0}d"),
        { TotalHours: >= 1 } h when h.TotalHours == Math.Floor(h.TotalHours) => string.Create(CultureInfo.InvariantCulture, $"{h.TotalHours:0}h"),
        { TotalMinutes: >= 1 } m when m.TotalMinutes == Math.Floor(m.TotalMinutes) => string.Create(CultureInfo.InvariantCulture, $"{m.TotalMinutes:0}m"),
        { } s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalSeconds:0.###}s"),
    };

    /// <summary>Invariant text of a number.</summary>
    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
