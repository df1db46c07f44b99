namespace Xinfra.Cli.Infrastructure;

/// <summary>Where a run writes: results to <see cref="Out"/>, progress and errors to <see cref="Error"/>.</summary>
/// <param name="Out">Results (tables or JSON).</param>
/// <param name="Error">Progress, warnings and errors.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error)
{
    /// <summary>True when <see cref="Error"/> is an interactive console (progress bars redraw in place).</summary>
    public bool InteractiveError => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;
}
