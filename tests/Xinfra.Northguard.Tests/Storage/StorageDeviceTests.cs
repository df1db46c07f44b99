using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Tests.Storage;

public class StorageDeviceTests
{
    [Fact]
    public void MemoryCrash_FlushedBytes_Survive()
    {
        using var device = new MemoryStorageDevice();
        using (var file = device.Open("a", create: true))
        {
            file.Append([1, 2, 3]);
            file.Flush();
            file.Append([4, 5, 6]);
        }

        for (var seed = 0; seed < 20; seed++)
        {
            device.Crash(new Random(seed));
            var bytes = device.ReadAllBytes("a");
            Assert.True(bytes.Length >= 3);
            Assert.Equal(new byte[] { 1, 2, 3 }, bytes[..3]);
        }
    }

    [Fact]
    public void MemoryCrash_UnflushedWrites_AreSometimesLostOrTorn()
    {
        var lengths = new HashSet<int>();
        for (var seed = 0; seed < 50; seed++)
        {
            using var device = new MemoryStorageDevice();
            using var file = device.Open("a", create: true);
            file.Append(new byte[100]);
            device.Crash(new Random(seed));
            lengths.Add(device.ReadAllBytes("a").Length);
            Assert.Throws<IOException>(() => file.Append([1]));
        }

        Assert.Contains(0, lengths);
        Assert.Contains(100, lengths);
        Assert.Contains(lengths, l => l is > 0 and < 100);
    }

    [Fact]
    public void MemoryCrash_AfterTruncatingFlushedBytes_KeepsTheFlushedContentOrTheTruncation()
    {
        var outcomes = new HashSet<string>();
        for (var seed = 0; seed < 60; seed++)
        {
            using var device = new MemoryStorageDevice();
            using (var file = device.Open("a", create: true))
            {
                file.Append("abcdef"u8);
                file.Flush();
                file.Truncate(2);
                file.Append("XY"u8);
            }

            device.Crash(new Random(seed));
            var bytes = device.ReadAllBytes("a");
            outcomes.Add(System.Text.Encoding.ASCII.GetString(bytes));

            // Nothing kept: the flushed bytes, though the truncation and the append overwrote them in memory.
            // Otherwise the truncation reached the disk: "ab", then a prefix of "XY" (torn, maybe garbage after it).
            Assert.True(bytes.AsSpan().SequenceEqual("abcdef"u8) || (bytes.Length <= 4 && bytes.AsSpan().StartsWith("ab"u8)), $"seed {seed}: {Convert.ToHexString(bytes)}");
        }

        Assert.Contains("abcdef", outcomes);
        Assert.Contains("ab", outcomes);
        Assert.Contains("abXY", outcomes);
    }

    [Fact]
    public void MemoryCrash_UnflushedAppendOverwrittenAfterATruncation_KeepsItsOwnBytes()
    {
        var outcomes = new HashSet<string>();
        for (var seed = 0; seed < 60; seed++)
        {
            using var device = new MemoryStorageDevice();
            using (var file = device.Open("a", create: true))
            {
                file.Append("abc"u8);
                file.Truncate(1);
                file.Append("Z"u8);
                Assert.Equal("aZ"u8.ToArray(), device.ReadAllBytes("a"));
            }

            device.Crash(new Random(seed));
            outcomes.Add(System.Text.Encoding.ASCII.GetString(device.ReadAllBytes("a")));
        }

        // Only the first append reached the disk: its bytes as written, not what later overwrote them in memory.
        Assert.Contains("abc", outcomes);
        Assert.Contains("aZ", outcomes);
        Assert.DoesNotContain("aZc", outcomes);
    }

    [Fact]
    public void MemoryFailWhen_InjectedFlushFailure_Throws()
    {
        using var device = new MemoryStorageDevice { FailWhen = (name, op) => op == StorageOperation.Flush };
        using var file = device.Open("a", create: true);
        file.Append([1]);

        Assert.Throws<IOException>(file.Flush);
        Assert.Equal(0, device.FlushCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FileDevice_UnalignedAppends_ReadBackAfterReopen(bool preferDirect)
    {
        using var dir = new StorageTestKit.TempDir();
        var random = new Random(42);
        var expected = new List<byte>();
        using (var device = new FileStorageDevice(dir.Path, preferDirect))
        {
            Assert.Equal(preferDirect ? device.IoMode : StorageIoMode.Buffered, device.IoMode);
            using var file = device.Open("f", create: true);
            foreach (var size in new[] { 1, 100, 4095, 4096, 5000, 7, 9000 })
            {
                var chunk = new byte[size];
                random.NextBytes(chunk);
                file.Append(chunk);
                expected.AddRange(chunk);
                var back = new byte[size];
                Assert.Equal(size, file.Read(expected.Count - size, back));
                Assert.Equal(chunk, back);
            }

            file.Flush();
            file.Truncate(4200);
            expected.RemoveRange(4200, expected.Count - 4200);
            file.Append([9, 9]);
            expected.AddRange([9, 9]);
        }

        using (var device = new FileStorageDevice(dir.Path, preferDirect))
        {
            using var file = device.Open("f", create: false);
            Assert.Equal(expected.Count, file.Length);
            var all = new byte[expected.Count];
            Assert.Equal(all.Length, file.Read(0, all));
            Assert.Equal(expected.ToArray(), all);
            Assert.Equal(["f"], device.ListFiles());
            device.Delete("f");
        }

        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void FileDevice_ReadsAcrossWrittenAndBufferedBytes_MatchWhatWasAppended()
    {
        using var dir = new StorageTestKit.TempDir();
        var random = new Random(7);
        var expected = new byte[700_000];
        random.NextBytes(expected);
        using var device = new FileStorageDevice(dir.Path);
        using (var file = device.Open("f", create: true))
        {
            var written = 0;
            while (written < expected.Length)
            {
                var n = Math.Min(random.Next(1, 40_000), expected.Length - written);
                file.Append(expected.AsSpan(written, n));
                written += n;
                for (var probe = 0; probe < 3; probe++)
                {
                    var from = random.Next(written);
                    var back = new byte[Math.Min(random.Next(1, 300_000), written - from)];
                    Assert.Equal(back.Length, file.Read(from, back));
                    Assert.True(expected.AsSpan(from, back.Length).SequenceEqual(back), $"mismatch reading {back.Length} bytes at {from} of {written}");
                }
            }
        }

        using var reopened = device.Open("f", create: false);
        var all = new byte[expected.Length];
        Assert.Equal(all.Length, reopened.Read(0, all));
        Assert.Equal(expected, all);
    }
}
