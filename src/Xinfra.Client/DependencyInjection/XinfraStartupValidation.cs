using Microsoft.Extensions.Hosting;
using Xinfra.Producing.Outbox;
using Xinfra.Routing;

namespace Xinfra;

/// <summary>Validates the Xinfra configuration when the host starts, so a bad file fails the start, not the first produce.</summary>
internal sealed class XinfraStartupValidation(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the monitor validates the options and throws XinfraConfigurationException listing every problem.
        var configuration = (XinfraConfigurationMonitor?)services.GetService(typeof(XinfraConfigurationMonitor));
        if (configuration is not null && services.GetService(typeof(DualWriteOutboxes)) is DualWriteOutboxes outboxes)
        {
            // A process that restarts replays what its outboxes hold even if it never produces to the topic again.
            foreach (var (topic, options) in configuration.Current.Options.Topics)
            {
                if (DualWriteOutboxes.MustOpen(topic, options))
                {
                    outboxes.Open(topic, configuration, (TransportRegistry)services.GetService(typeof(TransportRegistry))!);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
