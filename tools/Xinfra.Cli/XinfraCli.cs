using System.CommandLine;
using Xinfra.Cli.Infrastructure;

namespace Xinfra.Cli;

/// <summary>
/// The <c>xinfra</c> command line: a root command with the global options and one subcommand per
/// <see cref="ICommandGroup"/> found in this assembly (adding a group is adding one file). In-process entry point
/// for tests: output and errors go to the given writers and the exit code is returned.
/// </summary>
internal static class XinfraCli
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error);
        var root = BuildRoot(context);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {e.Message}");
            }

            await error.WriteLineAsync("Run 'xinfra --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug, not an operational error: say so with the details.
            await error.WriteLineAsync($"error: unexpected failure (please report it): {e}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The root command with every command group.</summary>
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("xinfra: operate Xinfra and Northguard clusters. Human-readable tables by default, --json for scripts.");
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        var groups = typeof(XinfraCli).Assembly.GetTypes()
            .Where(t => typeof(ICommandGroup).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICommandGroup)Activator.CreateInstance(t)!)
            .Select(g => g.Create(context))
            .OrderBy(c => c.Name, StringComparer.Ordinal);
        foreach (var command in groups)
        {
            root.Subcommands.Add(command);
        }

        return root;
    }
}
