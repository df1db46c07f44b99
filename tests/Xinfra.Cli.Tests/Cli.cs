using System.Text.Json;

namespace Xinfra.Cli.Tests;

/// <summary>Runs the xinfra command line in-process and captures what it writes.</summary>
internal static class Cli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await XinfraCli.RunAsync(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public static async Task<CliResult> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await XinfraCli.RunAsync(args, output, error, cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value (generous timeout for a loaded machine).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 45)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            try
            {
                await Task.Delay(100, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for {what}.");
            }
        }
    }
}

/// <summary>Exit code and captured output of one run.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Out);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
