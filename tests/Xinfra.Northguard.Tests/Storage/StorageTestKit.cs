using System.Text;
using Xinfra.Northguard.Storage;
using Xinfra.Northguard.Storage.Devices;
using Xinfra.Northguard.Storage.Index;

namespace Xinfra.Northguard.Tests.Storage;

/// <summary>Helpers shared by the storage tests.</summary>
internal static class StorageTestKit
{
    /// <summary>Flush as soon as possible: tests that do not exercise the window need no clock.</summary>
    public static readonly FpsStoreOptions Immediate = FpsStoreOptions.Default with { GroupCommitWindow = TimeSpan.Zero };

    public static LogRecord Record(long segment, long offset, int extraBytes = 0, long timestamp = 1_000) =>
        new(
            Encoding.UTF8.GetBytes($"k{offset}"),
            Encoding.UTF8.GetBytes($"v-{segment}-{offset}-" + new string('x', extraBytes)),
            [new RecordHeader("h1", new byte[] { 1, 2 }), new RecordHeader("trace", Encoding.UTF8.GetBytes($"t{offset}"))],
            timestamp);

    public static LogRecord[] Records(long segment, long firstOffset, int count, int extraBytes = 0, long timestamp = 1_000)
    {
        var records = new LogRecord[count];
        for (var i = 0; i < count; i++)
        {
            records[i] = Record(segment, firstOffset + i, extraBytes, timestamp + i);
        }

        return records;
    }

    public static string ValueOf(StoredRecord record) => Encoding.UTF8.GetString(record.Record.Value.Span);

    /// <summary>Checks that a stored record is exactly the one <see cref="Record"/> makes for its offset.</summary>
    public static void AssertIsRecord(long segment, StoredRecord stored)
    {
        Assert.StartsWith($"v-{segment}-{stored.Offset}-", ValueOf(stored));
        Assert.Equal($"k{stored.Offset}", Encoding.UTF8.GetString(stored.Record.Key.Span));
        Assert.Equal(2, stored.Record.Headers.Count);
        Assert.Equal("h1", stored.Record.Headers[0].Name);
        Assert.Equal(new byte[] { 1, 2 }, stored.Record.Headers[0].Value.ToArray());
        Assert.Equal($"t{stored.Offset}", Encoding.UTF8.GetString(stored.Record.Headers[1].Value.Span));
    }

    /// <summary>Reads a whole segment from its base offset.</summary>
    public static async Task<List<StoredRecord>> ReadAllAsync(FpsStore store, long segmentId, long baseOffset = 0)
    {
        var all = new List<StoredRecord>();
        var offset = baseOffset;
        while (true)
        {
            var result = await store.ReadAsync(segmentId, offset, 64 * 1024);
            if (result.Records.Count == 0)
            {
                return all;
            }

            all.AddRange(result.Records);
            offset = result.NextOffset;
        }
    }

    public static ValueTask<FpsStore> OpenMemoryAsync(MemoryStorageDevice device, ISparseIndex index, FpsStoreOptions? options = null, TimeProvider? time = null) =>
        FpsStore.OpenAsync(device, index, options ?? Immediate, time);

    /// <summary>A temp directory deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "xinfra-storage-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
