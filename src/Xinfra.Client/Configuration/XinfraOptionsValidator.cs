using Microsoft.Extensions.Options;

namespace Xinfra;

/// <summary>
/// Validates a whole <see cref="XinfraOptions"/>: each cluster and topic through the source-generated validators
/// (field rules), then the rules that span fields (a topic's epochs name existing clusters, a migration phase has a
/// target epoch, a cluster's security profile exists, a cluster kind has a registered transport). Every message names
/// the configuration path at fault, e.g. <c>Xinfra:Topics:orders:Phase</c>.
/// </summary>
public sealed class XinfraOptionsValidator : IValidateOptions<XinfraOptions>
{
    private readonly IReadOnlySet<ClusterKind>? _registeredKinds;

    /// <summary>Creates a validator; with <paramref name="registeredKinds"/>, clusters of other kinds are refused.</summary>
    public XinfraOptionsValidator(IReadOnlySet<ClusterKind>? registeredKinds = null) => _registeredKinds = registeredKinds;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, XinfraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var root = string.IsNullOrEmpty(name) ? XinfraOptions.SectionName : name;
        Collect(errors, $"{root}", new XinfraRootOptionsValidator().Validate(root, options));

        foreach (var (clusterName, cluster) in options.Clusters)
        {
            var path = $"{root}:Clusters:{clusterName}";
            if (cluster is null)
            {
                errors.Add($"{path}: the cluster has no settings; expected at least Kind and Bootstrap");
                continue;
            }

            Collect(errors, path, new ClusterOptionsValidator().Validate(path, cluster));
            ValidateCluster(errors, path, cluster, options);
        }

        foreach (var (topicName, topic) in options.Topics)
        {
            var path = $"{root}:Topics:{topicName}";
            if (topic is null)
            {
                errors.Add($"{path}: the topic has no settings; expected Cluster or Epochs");
                continue;
            }

            Collect(errors, path, new TopicOptionsValidator().Validate(path, topic));
            ValidateTopic(errors, path, topicName, topic, options);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateCluster(List<string> errors, string path, ClusterOptions cluster, XinfraOptions options)
    {
        if (!Enum.IsDefined(cluster.Kind))
        {
            errors.Add($"{path}:Kind: '{cluster.Kind}' is not a cluster kind; expected InMemory, Kafka or Northguard");
        }
        else if (_registeredKinds is not null && !_registeredKinds.Contains(cluster.Kind))
        {
            errors.Add($"{path}:Kind: no transport is registered for {cluster.Kind}; call .Add{cluster.Kind}() on the Xinfra builder");
        }

        if (cluster.SecurityProfile is { } profile && !options.SecurityProfiles.ContainsKey(profile))
        {
            errors.Add($"{path}:SecurityProfile: '{profile}' is not defined under {XinfraOptions.SectionName}:SecurityProfiles");
        }
    }

    private static void ValidateTopic(List<string> errors, string path, string topicName, TopicOptions topic, XinfraOptions options)
    {
        if (!TopicNames.IsValid(topicName))
        {
            errors.Add($"{path}: '{topicName}' is not a valid topic name; expected 1-249 letters, digits, '.', '_' or '-'");
        }

        var hasShorthand = topic.Cluster is not null;
        if (hasShorthand && topic.Epochs.Count > 0)
        {
            errors.Add($"{path}:Cluster: set either Cluster/Topic (one epoch) or Epochs, not both");
            return;
        }

        if (!hasShorthand && topic.Epochs.Count == 0)
        {
            errors.Add($"{path}:Epochs: the topic names no cluster; expected Cluster or at least one entry in Epochs");
            return;
        }

        var epochs = hasShorthand ? [new EpochOptions { Cluster = topic.Cluster, Topic = topic.Topic }] : topic.Epochs;
        for (var i = 0; i < epochs.Count; i++)
        {
            var epochPath = hasShorthand ? path : $"{path}:Epochs:{i}";
            var epoch = epochs[i];
            if (epoch.Cluster is { Length: > 0 } cluster && !options.Clusters.ContainsKey(cluster))
            {
                errors.Add($"{epochPath}:Cluster: '{cluster}' is not defined under {XinfraOptions.SectionName}:Clusters");
            }

            if (epoch.Topic is { } physical && !TopicNames.IsValid(physical))
            {
                errors.Add($"{epochPath}:Topic: '{physical}' is not a valid physical topic name; expected 1-249 letters, digits, '.', '_' or '-'");
            }
        }

        if (topic.DualWriteAck == DualWriteAckPolicy.Primary && string.IsNullOrWhiteSpace(topic.OutboxPath))
        {
            errors.Add($"{path}:OutboxPath: DualWriteAck Primary keeps the target copies in a durable local outbox; set OutboxPath to a local directory (or use DualWriteAck Both)");
        }

        if (topic.Phase != MigrationPhase.SourceOnly && epochs.Count < 2)
        {
            errors.Add($"{path}:Phase: {topic.Phase} needs a target epoch; add the target cluster as a second entry in Epochs");
        }
    }

    private static void Collect(List<string> errors, string path, ValidateOptionsResult result)
    {
        if (!result.Failed || result.Failures is null)
        {
            return;
        }

        foreach (var failure in result.Failures)
        {
            errors.Add(FieldMessages.Rewrite(path, failure));
        }
    }
}
