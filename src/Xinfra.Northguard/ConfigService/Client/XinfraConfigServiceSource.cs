using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xinfra.Northguard.ConfigService.Client;

namespace Xinfra.Northguard.ConfigService.Client
{
    /// <summary>The configuration source behind <c>AddXinfraConfigService</c>.</summary>
    public sealed class XinfraConfigServiceSource(XinfraConfigServiceOptions options) : IConfigurationSource
    {
        /// <summary>The options the provider is built with.</summary>
        public XinfraConfigServiceOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

        /// <inheritdoc />
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new XinfraConfigServiceProvider(Options);
    }
}

namespace Xinfra
{
    /// <summary>Adds the Northguard config service as a configuration source.</summary>
    public static class XinfraConfigServiceConfigurationExtensions
    {
        /// <summary>
        /// Adds a config-service document as the <c>Xinfra</c> section: fetched at start, cached on disk as the
        /// last-known-good copy (used when the service is unreachable), watched and reloaded live. Bind it as usual
        /// with <c>services.AddXinfra(configuration.GetSection("Xinfra"))</c>.
        /// </summary>
        public static IConfigurationBuilder AddXinfraConfigService(this IConfigurationBuilder builder, Action<XinfraConfigServiceOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(builder);
            ArgumentNullException.ThrowIfNull(configure);
            var options = new XinfraConfigServiceOptions();
            configure(options);
            if (options.Validate() is { } error)
            {
                throw new ArgumentException($"AddXinfraConfigService: {error}.", nameof(configure));
            }

            Xinfra.Northguard.ConfigService.XinfraConfigDocument.CheckName(options.Document);
            return builder.Add(new XinfraConfigServiceSource(options));
        }

        /// <summary>
        /// Adds a health check of the config-service copy held by <paramref name="configuration"/>: degraded when running
        /// from the cache, when the service has not confirmed the version in force for <paramref name="maxAge"/>
        /// (default 1 minute), or when the newest document was refused.
        /// </summary>
        public static IHealthChecksBuilder AddXinfraConfigService(this IHealthChecksBuilder builder, IConfigurationRoot configuration, string name = "xinfra-config", TimeSpan? maxAge = null)
        {
            ArgumentNullException.ThrowIfNull(builder);
            ArgumentNullException.ThrowIfNull(configuration);
            var provider = configuration.Providers.OfType<XinfraConfigServiceProvider>().FirstOrDefault()
                ?? throw new ArgumentException("The configuration has no config-service source; call AddXinfraConfigService on its builder first.", nameof(configuration));
            var check = new XinfraConfigServiceHealthCheck(provider, maxAge ?? TimeSpan.FromMinutes(1));
            return builder.Add(new HealthCheckRegistration(name, _ => check, HealthStatus.Degraded, tags: null));
        }
    }
}
