using System.CommandLine;
using System.Text.Json;
using Grpc.Core;

namespace Xinfra.Cli.Infrastructure;

/// <summary>Binds a command to its handler and turns failures into one error line and an exit code.</summary>
internal static class CliAction
{
    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="run"/>.</summary>
    public static void Set(Command command, CliContext context, Func<CliInvocation, CancellationToken, Task<int>> run) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await run(new CliInvocation(parse, context), cancellationToken);
            }
            catch (CliException e)
            {
                await context.Error.WriteLineAsync($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync("cancelled");
                return ExitCodes.Failed;
            }
            catch (OperationCanceledException)
            {
                // A client-side deadline (not Ctrl+C): the cluster did not answer in time.
                await context.Error.WriteLineAsync($"error: the cluster did not answer within the timeout (--timeout {parse.GetValue(GlobalOptions.Timeout)} s).");
                return ExitCodes.Failed;
            }
            catch (RpcException e)
            {
                await context.Error.WriteLineAsync($"error: a broker call failed ({e.StatusCode}): {e.Status.Detail}");
                return ExitCodes.Failed;
            }
            catch (Exception e) when (e is XinfraException or IOException or UnauthorizedAccessException or JsonException or TimeoutException)
            {
                await context.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Failed;
            }
        });
}
