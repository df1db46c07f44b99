namespace Xinfra.Cli.Infrastructure;

/// <summary>The exit codes of every command.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for a check, the answer is yes.</summary>
    public const int Ok = 0;

    /// <summary>The check answered no or the request was refused (capacity, unsafe restart, skipped phase, non-empty cluster).</summary>
    public const int Refused = 1;

    /// <summary>The operation failed (cluster unreachable, unknown topic or broker, corrupt file).</summary>
    public const int Failed = 2;

    /// <summary>The command line is wrong (unknown option, bad value).</summary>
    public const int Usage = 64;
}

/// <summary>An error the command reports as one line with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    /// <summary>The exit code to return.</summary>
    public int ExitCode { get; } = exitCode;
}
