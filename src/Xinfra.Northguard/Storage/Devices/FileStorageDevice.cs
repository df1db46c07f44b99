using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xinfra.Northguard.Storage.Diagnostics;

namespace Xinfra.Northguard.Storage.Devices;

/// <summary>
/// A directory on a real disk (Linux). Files are opened with O_DIRECT when <c>preferDirect</c> is set and the
/// filesystem accepts it, else buffered; the chosen mode is logged and exported as a metric.
/// </summary>
public sealed partial class FileStorageDevice : IStorageDevice
{
    private readonly string _directory;
    private readonly ILogger _logger;

    /// <summary>Opens (creating if needed) the device directory and probes whether O_DIRECT works there.</summary>
    public FileStorageDevice(string directory, bool preferDirect = true, ILogger<FileStorageDevice>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("FileStorageDevice needs Linux (pwrite, fdatasync, O_DIRECT).");
        }

        _directory = Path.GetFullPath(directory);
        _logger = logger ?? NullLogger<FileStorageDevice>.Instance;
        Directory.CreateDirectory(_directory);
        IoMode = preferDirect && ProbeDirect() ? StorageIoMode.Direct : StorageIoMode.Buffered;
        Log.IoModeSelected(_logger, _directory, IoMode);
        StorageMetrics.RecordIoMode(IoMode);
    }

    /// <inheritdoc />
    public StorageIoMode IoMode { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles() =>
        [.. Directory.EnumerateFiles(_directory).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)];

    /// <inheritdoc />
    public IStorageFile Open(string name, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var path = Path.Combine(_directory, name);
        var existed = File.Exists(path);
        var file = PosixFile.TryOpen(name, path, create, IoMode == StorageIoMode.Direct)
            ?? throw new IOException($"The filesystem refused O_DIRECT for '{path}' after accepting it for the probe.");
        if (!existed)
        {
            SyncDirectory();
        }

        return file;
    }

    /// <inheritdoc />
    public void Delete(string name)
    {
        var path = Path.Combine(_directory, name);
        if (File.Exists(path))
        {
            File.Delete(path);
            SyncDirectory();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private bool ProbeDirect()
    {
        var probe = Path.Combine(_directory, ".odirect-probe");
        try
        {
            using var file = PosixFile.TryOpen(".odirect-probe", probe, create: true, direct: true);
            if (file is null)
            {
                return false;
            }

            file.Append(new byte[PosixFile.Block]);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            File.Delete(probe);
        }
    }

    private void SyncDirectory()
    {
        var fd = LibC.Open(_directory, LibC.ORdOnly | LibC.ODirectory | LibC.OCloExec, 0);
        if (fd < 0)
        {
            throw LibC.Error("open directory", _directory);
        }

        try
        {
            if (LibC.FSync(fd) != 0)
            {
                throw LibC.Error("fsync directory", _directory);
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }
}
