using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Xinfra.Northguard.ConfigService.Client;

/// <summary>
/// Health of the config-service copy: healthy when the service delivered or confirmed the version in force within the
/// allowed age; degraded when running from the cache, when the copy is older than that, or when the newest pushed
/// document was refused. Never unhealthy: the client keeps working on its last-known-good configuration.
/// </summary>
internal sealed class XinfraConfigServiceHealthCheck(XinfraConfigServiceProvider provider, TimeSpan maxAge) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = provider.State;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["document"] = state.Document,
            ["version"] = state.Version,
            ["source"] = state.Source.ToString(),
            ["age_seconds"] = state.Age?.TotalSeconds ?? -1,
            ["connected"] = state.Connected,
        };
        var age = state.Age is { } a ? a.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s" : "unknown";
        HealthCheckResult result = state switch
        {
            { LastRejection: { } rejection } => HealthCheckResult.Degraded($"Config document {state.Document}: the newest version was refused; running version {state.Version}. {rejection}", data: data),
            { Source: ConfigSourceKind.Cache } => HealthCheckResult.Degraded($"Config document {state.Document}: running version {state.Version} from the on-disk cache (age {age}); the service has not confirmed it. {state.LastError}", data: data),
            { Age: { } stale } when stale > maxAge => HealthCheckResult.Degraded($"Config document {state.Document}: version {state.Version} not confirmed by the service for {age}. {state.LastError}", data: data),
            _ => HealthCheckResult.Healthy($"Config document {state.Document}: version {state.Version} from the service (age {age}).", data),
        };
        return Task.FromResult(result);
    }
}
