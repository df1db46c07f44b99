namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>Where the configuration in force came from.</summary>
public enum ConfigSourceKind
{
    /// <summary>Nothing loaded yet.</summary>
    None = 0,

    /// <summary>Fetched from (or confirmed by) the config service.</summary>
    Service = 1,

    /// <summary>Loaded from the on-disk last-known-good cache; the service has not confirmed it since.</summary>
    Cache = 2,
}

/// <summary>A snapshot of a config-service provider's state, for health checks, tests and operators.</summary>
/// <param name="Document">The document name.</param>
/// <param name="Version">The version in force (0 when none).</param>
/// <param name="Source">Where the version in force came from.</param>
/// <param name="LastConfirmed">When the service last delivered or confirmed the version in force (for a cache start, when it was fetched).</param>
/// <param name="Age">Time since <paramref name="LastConfirmed"/>.</param>
/// <param name="Connected">Whether a watch stream is open and the service confirmed the document within the last 3 s.</param>
/// <param name="LastRejection">Why the newest pushed document was refused, or null.</param>
/// <param name="LastError">The last fetch, watch or cache problem, or null.</param>
public sealed record XinfraConfigServiceState(
    string Document,
    long Version,
    ConfigSourceKind Source,
    DateTimeOffset? LastConfirmed,
    TimeSpan? Age,
    bool Connected,
    string? LastRejection,
    string? LastError);
