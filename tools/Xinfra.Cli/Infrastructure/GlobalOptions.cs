using System.CommandLine;

namespace Xinfra.Cli.Infrastructure;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    /// <summary><c>--bootstrap host:port[,host:port…]</c>: some brokers of the cluster (default: <c>XINFRA_BOOTSTRAP</c>).</summary>
    public static readonly Option<string?> Bootstrap = new("--bootstrap", "-b")
    {
        Description = "Brokers of the Northguard cluster, host:port[,host:port...] (default: $XINFRA_BOOTSTRAP).",
        Recursive = true,
    };

    /// <summary><c>--json</c>: machine-readable output on stdout (progress and errors stay on stderr).</summary>
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write the result as JSON on stdout (for scripts); progress and errors go to stderr.",
        Recursive = true,
    };

    /// <summary><c>--timeout</c>: how long one cluster call may take, in seconds.</summary>
    public static readonly Option<int> Timeout = new("--timeout")
    {
        Description = "Seconds one cluster call may take (elections and redirects included).",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };
}
