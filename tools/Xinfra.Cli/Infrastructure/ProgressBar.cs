namespace Xinfra.Cli.Infrastructure;

/// <summary>
/// Progress of a long operation on stderr: a bar redrawn in place on an interactive console, one line per step
/// otherwise (logs, tests). Results stay on stdout, so <c>--json</c> output is never mixed with progress.
/// </summary>
internal sealed class ProgressBar(CliContext context, string title)
{
    private const int Width = 24;
    private bool _drawn;

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> with what happens now.</summary>
    public void Report(int done, int total, string step)
    {
        int filled = total <= 0 ? Width : (int)((long)Width * Math.Clamp(done, 0, total) / total);
        var bar = $"{title} [{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total} {step}";
        if (context.InteractiveError)
        {
            context.Error.Write($"\r{bar.PadRight(Math.Max(bar.Length, Console.WindowWidth - 1))}");
            _drawn = true;
        }
        else
        {
            context.Error.WriteLine(bar);
        }
    }

    /// <summary>Ends the bar's line.</summary>
    public void Finish()
    {
        if (_drawn)
        {
            context.Error.WriteLine();
            _drawn = false;
        }
    }
}
