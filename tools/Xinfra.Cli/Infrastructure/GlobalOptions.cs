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

    /// <summary><c>--token</c>: the token sent to a secured cluster (default: <c>XINFRA_TOKEN</c>). Never printed.</summary>
    public static readonly Option<string?> Token = new("--token")
    {
        Description = "Token for a cluster with ACLs (default: $XINFRA_TOKEN). Prefer --token-file: a command line is visible to other users.",
        Recursive = true,
    };

    /// <summary><c>--token-file</c>: a file holding the token (used when <c>--token</c> is not given).</summary>
    public static readonly Option<string?> TokenFile = new("--token-file")
    {
        Description = "File holding the token for a cluster with ACLs (default: $XINFRA_TOKEN_FILE).",
        Recursive = true,
    };

    /// <summary><c>--tls</c>: connect with TLS, trusting the system store unless <c>--ca-file</c> is given.</summary>
    public static readonly Option<bool> Tls = new("--tls")
    {
        Description = "Connect with TLS (https); implied by --ca-file.",
        Recursive = true,
    };

    /// <summary><c>--ca-file</c>: PEM bundle of the CA that signs the brokers' certificates; implies TLS.</summary>
    public static readonly Option<string?> CaFile = new("--ca-file")
    {
        Description = "PEM file with the CA certificates that sign the brokers' certificates; implies --tls.",
        Recursive = true,
    };

    /// <summary>Every global option, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<Option> All => [Bootstrap, Json, Timeout, Token, TokenFile, Tls, CaFile];
}
