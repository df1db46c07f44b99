using System.Runtime.InteropServices;
using Xinfra.Cli;

// Ctrl+C and SIGTERM cancel the running command (a hosted cluster stops cleanly) instead of killing the process.
using var cancel = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
return await XinfraCli.RunAsync(args, Console.Out, Console.Error, cancel.Token);

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}
