using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xinfra.Monitoring;
using Xinfra.Routing;

namespace Xinfra;

/// <summary>Registers Xinfra's health check.</summary>
public static class XinfraHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check named <paramref name="name"/> covering every configured cluster and topic: unhealthy when a cluster
    /// does not answer within <paramref name="timeout"/> (default 5 s), degraded when the last configuration change
    /// was refused.
    /// </summary>
    public static IHealthChecksBuilder AddXinfra(this IHealthChecksBuilder builder, string name = "xinfra", TimeSpan? timeout = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var wait = timeout ?? TimeSpan.FromSeconds(5);
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new XinfraHealthCheck(sp.GetRequiredService<XinfraConfigurationMonitor>(), sp.GetRequiredService<TransportRegistry>(), wait),
            HealthStatus.Unhealthy,
            tags));
    }
}
