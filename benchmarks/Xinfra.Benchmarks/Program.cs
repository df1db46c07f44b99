using BenchmarkDotNet.Running;
using Xinfra.Benchmarks;

// `storage-load [directory] [seconds] [group-commit window ms]` runs the plain console comparison of the fps-store against this disk's own
// write+fdatasync limit (docs/benchmarks.md); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "storage-load")
{
    var directory = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "xinfra-bench-" + Guid.NewGuid().ToString("N"));
    var seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
    var windowMs = args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10;
    await StorageLoad.RunAsync(directory, TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(windowMs));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(StorageLoad).Assembly).Run(args);
