using Microsoft.Extensions.Hosting;
using Xinfra.Routing;

namespace Xinfra;

/// <summary>Validates the Xinfra configuration when the host starts, so a bad file fails the start, not the first produce.</summary>
internal sealed class XinfraStartupValidation(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the monitor validates the options and throws XinfraConfigurationException listing every problem.
        _ = services.GetService(typeof(XinfraConfigurationMonitor));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
