namespace Xinfra.Northguard.Storage.Devices;

/// <summary>
/// A flat directory of append-only files: the only way the fps-store touches a disk. A real device writes files; the
/// in-memory one (<see cref="MemoryStorageDevice"/>) can lose or tear unsynced bytes and inject failures.
/// </summary>
public interface IStorageDevice : IDisposable
{
    /// <summary>The I/O mode files are opened with (direct or buffered), for logs and metrics.</summary>
    StorageIoMode IoMode { get; }

    /// <summary>The names of the files the device holds.</summary>
    IReadOnlyList<string> ListFiles();

    /// <summary>Opens a file; with <paramref name="create"/> an absent file is created and its name made durable.</summary>
    IStorageFile Open(string name, bool create);

    /// <summary>Deletes a file durably; deleting an absent file does nothing.</summary>
    void Delete(string name);
}

/// <summary>An open append-only file. Appends and truncation are serialized by the caller; reads may run concurrently.</summary>
public interface IStorageFile : IDisposable
{
    /// <summary>The file name on its device.</summary>
    string Name { get; }

    /// <summary>The logical length: the position the next append writes at.</summary>
    long Length { get; }

    /// <summary>Appends bytes at <see cref="Length"/>; they are durable only after <see cref="Flush"/>.</summary>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="position"/>; returns the count (0 at the end).</summary>
    int Read(long position, Span<byte> buffer);

    /// <summary>Makes every byte appended so far (and any truncation) durable (fdatasync).</summary>
    void Flush();

    /// <summary>Cuts the file to <paramref name="length"/> bytes.</summary>
    void Truncate(long length);
}

/// <summary>How a device performs file I/O.</summary>
public enum StorageIoMode
{
    /// <summary>Direct I/O (O_DIRECT) with aligned buffers; bypasses the OS page cache.</summary>
    Direct,

    /// <summary>Buffered I/O through the OS page cache, made durable with fdatasync.</summary>
    Buffered,

    /// <summary>An in-memory device (tests and simulation).</summary>
    Memory,
}

/// <summary>The operations a <see cref="MemoryStorageDevice"/> can be told to fail.</summary>
public enum StorageOperation
{
    /// <summary>An append.</summary>
    Write,

    /// <summary>A flush (fsync).</summary>
    Flush,

    /// <summary>A read.</summary>
    Read,
}
