using System.Text;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

// Crash host for the SIGKILL recovery test: appends deterministic records to N segments of a real on-disk store
// and prints "ACK <segment> <lastOffset>" only after WaitForDurableAsync completed. The test kills it with SIGKILL.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Xinfra.Northguard.CrashHost <directory> <segments> <seed>");
    return 2;
}

var directory = args[0];
var segments = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
using var device = new FileStorageDevice(Path.Combine(directory, "data"));
using var index = new RocksDbSparseIndex(Path.Combine(directory, "index"));
var store = await FpsStore.OpenAsync(device, index, FpsStoreOptions.Default with { WalCheckpointBytes = 256 * 1024 });
for (var s = 1; s <= segments; s++)
{
    if (store.GetSegment(s) is null)
    {
        store.CreateSegment(s, "crash", 0);
    }
}

var output = Console.Out;
var gate = new object();
Console.WriteLine("READY");
await Task.WhenAll(Enumerable.Range(1, segments).Select(s => Task.Run(async () =>
{
    var random = new Random(seed * 31 + s);
    var next = store.GetSegment(s)!.NextOffset;
    while (true)
    {
        var count = random.Next(1, 20);
        var records = new LogRecord[count];
        for (var i = 0; i < count; i++)
        {
            var offset = next + i;
            records[i] = new LogRecord(
                Encoding.UTF8.GetBytes($"k{offset}"),
                Encoding.UTF8.GetBytes($"v-{s}-{offset}-" + new string('x', random.Next(2000))),
                [new RecordHeader("h1", new byte[] { 1, 2 })],
                offset);
        }

        var result = await store.AppendAsync(s, records);
        next = result.LastOffset + 1;
        lock (gate)
        {
            output.WriteLine($"ACK {s} {result.LastOffset}");
            output.Flush();
        }
    }
})));
return 0;
