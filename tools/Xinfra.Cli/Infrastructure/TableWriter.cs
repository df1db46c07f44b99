namespace Xinfra.Cli.Infrastructure;

/// <summary>Writes rows as left-aligned columns under upper-case headers.</summary>
internal static class TableWriter
{
    /// <summary>Writes the table; an empty table prints <paramref name="empty"/>.</summary>
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string empty = "(none)")
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            output.WriteLine(empty);
            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Max(r => i < r.Count ? r[i].Length : 0))).ToArray();
        output.WriteLine(Line(headers, widths));
        foreach (var row in all)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", widths.Select((w, i) => (i < cells.Count ? cells[i] : string.Empty).PadRight(i == widths.Length - 1 ? 0 : w))).TrimEnd();
}
