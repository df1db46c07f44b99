using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Storage.Devices;

namespace Xinfra.Northguard.Storage.Diagnostics;

/// <summary>Source-generated log messages of the fps-store (event ids 3100-3199).</summary>
internal static partial class Log
{
    [LoggerMessage(3100, LogLevel.Information, "Storage device at {Directory} uses {IoMode} I/O")]
    public static partial void IoModeSelected(ILogger logger, string directory, StorageIoMode ioMode);

    [LoggerMessage(3101, LogLevel.Warning, "Truncated torn tail of {File} at position {Position}")]
    public static partial void TornTailTruncated(ILogger logger, string file, long position);

    [LoggerMessage(3102, LogLevel.Error, "Refusing to serve segment {SegmentId}: {Reason}")]
    public static partial void SegmentRefused(ILogger logger, long segmentId, string reason);

    [LoggerMessage(3103, LogLevel.Information, "Recovered {Segments} segments; replayed {Entries} WAL entries from {WalFiles} WAL files")]
    public static partial void Recovered(ILogger logger, int segments, int entries, int walFiles);

    [LoggerMessage(3104, LogLevel.Critical, "The write-ahead log failed; the store accepts no more appends")]
    public static partial void WalFailed(ILogger logger, Exception exception);

    [LoggerMessage(3105, LogLevel.Information, "Retention deleted segment {SegmentId} of topic {Topic} ({Bytes} bytes)")]
    public static partial void RetentionDeleted(ILogger logger, long segmentId, string topic, long bytes);

    [LoggerMessage(3106, LogLevel.Information, "Checkpoint: WAL rolled to {File}")]
    public static partial void WalRolled(ILogger logger, string file);
}
