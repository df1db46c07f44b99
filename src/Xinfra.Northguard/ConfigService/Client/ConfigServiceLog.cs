using Microsoft.Extensions.Logging;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>Config-service client log messages (event ids 1101-1199, next to the client's configuration events).</summary>
internal static partial class ConfigServiceLog
{
    [LoggerMessage(1101, LogLevel.Information, "Config document {Document} version {Version} applied from {Source}")]
    public static partial void Applied(ILogger logger, string document, long version, ConfigSourceKind source);

    [LoggerMessage(1102, LogLevel.Error, "Config document {Document} version {Version} rejected; keeping version {Kept} and not caching it. {Errors}")]
    public static partial void Rejected(ILogger logger, string document, long version, long kept, string errors);

    [LoggerMessage(1103, LogLevel.Warning, "Config service unreachable for document {Document} at start ({Reason}); starting from the cache")]
    public static partial void StartingFromCache(ILogger logger, string document, string reason);

    [LoggerMessage(1104, LogLevel.Error, "Config cache {Path} ignored: {Reason}")]
    public static partial void CacheUnusable(ILogger logger, string path, string reason);

    [LoggerMessage(1105, LogLevel.Warning, "Config cache {Path} could not be written: {Reason}")]
    public static partial void CacheWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(1106, LogLevel.Warning, "Config watch of {Document} on {Endpoint} broke ({Reason}); reconnecting in {DelayMs} ms")]
    public static partial void WatchBroken(ILogger logger, string document, string endpoint, string reason, long delayMs);
}
