using System.Text.Json;
using System.Text.Json.Serialization;
using Xinfra.Transport;

namespace Xinfra.Routing;

/// <summary>A validated configuration and the routes derived from it. Immutable; replaced whole on a change.</summary>
public sealed class XinfraSnapshot
{
    private readonly Dictionary<string, TopicRoute> _routes;

    internal XinfraSnapshot(XinfraOptions options, long version)
    {
        Options = options;
        Version = version;
        Fingerprint = FingerprintOf(options);
        _routes = new Dictionary<string, TopicRoute>(options.Topics.Count, StringComparer.Ordinal);
        foreach (var (name, topic) in options.Topics)
        {
            _routes[name] = BuildRoute(options, name, topic);
        }
    }

    /// <summary>The options this snapshot was built from. Do not modify.</summary>
    public XinfraOptions Options { get; }

    /// <summary>Increases by one with every applied change.</summary>
    public long Version { get; }

    /// <summary>A canonical text of the options, to tell a real change from a reload of the same content.</summary>
    internal string Fingerprint { get; }

    /// <summary>The routes, by logical topic.</summary>
    public IReadOnlyDictionary<string, TopicRoute> Routes => _routes;

    /// <summary>The route of <paramref name="topic"/>; throws <see cref="UnknownTopicException"/> naming the known topics.</summary>
    public TopicRoute Route(string topic)
    {
        if (_routes.TryGetValue(topic, out var route))
        {
            return route;
        }

        throw new UnknownTopicException(
            $"Logical topic '{topic}' is not configured under {XinfraOptions.SectionName}:Topics; configured topics: {(_routes.Count == 0 ? "none" : string.Join(", ", _routes.Keys.Order(StringComparer.Ordinal)))}.")
        { Topic = topic };
    }

    internal static string FingerprintOf(XinfraOptions options) => JsonSerializer.Serialize(options, FingerprintJson);

    private static readonly JsonSerializerOptions FingerprintJson = new() { Converters = { new JsonStringEnumConverter() } };

    private static TopicRoute BuildRoute(XinfraOptions options, string name, TopicOptions topic)
    {
        var epochs = topic.Cluster is not null
            ? [new EpochOptions { Cluster = topic.Cluster, Topic = topic.Topic }]
            : topic.Epochs;
        var physical = new PhysicalTopic[epochs.Count];
        for (var i = 0; i < epochs.Count; i++)
        {
            var epoch = epochs[i];
            var cluster = epoch.Cluster!;
            var partitions = epoch.Partitions ?? options.Clusters[cluster].DefaultPartitions;
            physical[i] = new PhysicalTopic(name, cluster, epoch.Topic ?? name, partitions);
        }

        return new TopicRoute(name, topic.Phase, topic.DualWriteAck, topic.AutoCreate, physical);
    }
}
