using Xinfra.Northguard.Transport;
using Xinfra.Transport;

namespace Xinfra.Northguard.Transport
{
    /// <summary>Creates <see cref="NorthguardTransport"/>s for clusters of kind <see cref="ClusterKind.Northguard"/>.</summary>
    public sealed class NorthguardTransportFactory : ITransportFactory
    {
        /// <inheritdoc />
        public ClusterKind Kind => ClusterKind.Northguard;

        /// <inheritdoc />
        public ITransport Create(TransportContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var security = Security.NorthguardSecurityProfiles.ToClientSecurity(context);
            string scheme = security?.Tls == true ? "https://" : "http://";
            var endpoints = (context.Cluster.Bootstrap ?? string.Empty)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(e => e.Contains("://", StringComparison.Ordinal) ? e : scheme + e)
                .ToArray();
            if (endpoints.Length == 0)
            {
                throw new XinfraConfigurationException($"Cluster '{context.ClusterName}': a Northguard bootstrap needs at least one host:port.")
                {
                    Cluster = context.ClusterName,
                    Field = $"Xinfra:Clusters:{context.ClusterName}:Bootstrap",
                };
            }

            return new NorthguardTransport(context, endpoints, security);
        }
    }
}

namespace Xinfra
{
    /// <summary>Registers the Northguard transport.</summary>
    public static class NorthguardXinfraBuilderExtensions
    {
        /// <summary>Lets <c>Xinfra:Clusters</c> name clusters of kind <c>Northguard</c>.</summary>
        public static IXinfraBuilder AddNorthguard(this IXinfraBuilder builder)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.AddTransport<NorthguardTransportFactory>();
        }
    }
}
