using Microsoft.Extensions.DependencyInjection;

namespace Xinfra;

/// <summary>
/// Returned by <c>services.AddXinfra(...)</c>; transports and features extend it (<c>.AddKafka()</c>,
/// <c>.AddNorthguard()</c>, <c>.AddInMemory()</c>).
/// </summary>
public interface IXinfraBuilder
{
    /// <summary>The service collection Xinfra registers into.</summary>
    IServiceCollection Services { get; }
}
