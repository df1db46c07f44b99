using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xinfra.Routing;
using Xinfra.Transport;

namespace Xinfra.Monitoring;

/// <summary>
/// Health of every configured cluster (can Xinfra describe the topics it routes there, within the timeout?) and of the
/// configuration (was the last change refused?). Unhealthy when a cluster that a phase writes to or reads from is
/// unreachable; degraded when only the configuration was refused. Data: one entry per cluster and per topic.
/// </summary>
internal sealed class XinfraHealthCheck(XinfraConfigurationMonitor configuration, TransportRegistry transports, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = configuration.Current;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var failed = new List<string>();
        foreach (var (cluster, topics) in TopicsByCluster(snapshot))
        {
            var error = await ProbeAsync(cluster, topics, cancellationToken).ConfigureAwait(false);
            data[$"cluster:{cluster}"] = error ?? "reachable";
            if (error is not null)
            {
                failed.Add(cluster);
            }
        }

        foreach (var (topic, route) in snapshot.Routes)
        {
            var down = route.WriteTo.Append(route.ReadFrom).Select(t => t.Cluster).Where(failed.Contains).Distinct().ToArray();
            data[$"topic:{topic}"] = down.Length == 0 ? route.Phase.ToString() : $"{route.Phase}; unreachable: {string.Join(", ", down)}";
        }

        if (failed.Count > 0)
        {
            return HealthCheckResult.Unhealthy($"Unreachable clusters: {string.Join(", ", failed)}", data: data);
        }

        if (configuration.LastRejection is { } rejection)
        {
            data["config"] = rejection;
            return HealthCheckResult.Degraded("The last configuration change was refused; the previous configuration is in force.", data: data);
        }

        return HealthCheckResult.Healthy($"{snapshot.Options.Clusters.Count} clusters reachable", data);
    }

    private async Task<string?> ProbeAsync(string cluster, List<PhysicalTopic> topics, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var transport = transports.Get(cluster);
            foreach (var topic in topics)
            {
                try
                {
                    await transport.DescribeTopicAsync(topic, deadline.Token).ConfigureAwait(false);
                }
                catch (UnknownTopicException) when (topic.Partitions > 0)
                {
                    // The cluster answered; the topic is created on first use.
                }
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout.TotalSeconds:0.#} s";
        }
        catch (XinfraException ex)
        {
            return ex.Message;
        }
    }

    private static Dictionary<string, List<PhysicalTopic>> TopicsByCluster(XinfraSnapshot snapshot)
    {
        var result = new Dictionary<string, List<PhysicalTopic>>(StringComparer.Ordinal);
        foreach (var cluster in snapshot.Options.Clusters.Keys)
        {
            result[cluster] = [];
        }

        foreach (var route in snapshot.Routes.Values)
        {
            foreach (var physical in route.WriteTo.Append(route.ReadFrom).Distinct())
            {
                result[physical.Cluster].Add(physical);
            }
        }

        return result;
    }
}
