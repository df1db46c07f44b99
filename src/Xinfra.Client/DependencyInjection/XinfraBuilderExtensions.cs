using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xinfra.Transport;

namespace Xinfra;

/// <summary>Helpers for transport packages that extend <see cref="IXinfraBuilder"/>.</summary>
public static class XinfraBuilderExtensions
{
    /// <summary>Registers a transport factory for its <see cref="ClusterKind"/> once, however often it is called.</summary>
    public static IXinfraBuilder AddTransport<TFactory>(this IXinfraBuilder builder)
        where TFactory : class, ITransportFactory
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransportFactory, TFactory>());
        return builder;
    }
}
