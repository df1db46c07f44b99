namespace Xinfra.Northguard.Metadata.Model;

/// <summary>How a topic's data is stored: replication, retention and when segments roll.</summary>
public sealed record StoragePolicy
{
    /// <summary>The policy used when none is given.</summary>
    public static StoragePolicy Default { get; } = new();

    /// <summary>Replicas per segment.</summary>
    /// <value>The default value is 3.</value>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>Sealed segments older than this are deleted; null keeps them forever.</summary>
    /// <value>The default value is 7 days.</value>
    public TimeSpan? RetentionTime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Oldest sealed segments are deleted while a range holds more than this; null for no limit.</summary>
    /// <value>The default value is null.</value>
    public long? RetentionBytes { get; init; }

    /// <summary>A segment is sealed when it reaches this size.</summary>
    /// <value>The default value is 1 GiB.</value>
    public long SegmentBytes { get; init; } = 1L << 30;

    /// <summary>A segment is sealed when it is this old.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan SegmentAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The reason this policy is invalid, or null.</summary>
    public string? Validate()
    {
        if (ReplicationFactor is < 1 or > 7)
        {
            return "ReplicationFactor must be between 1 and 7.";
        }

        if (SegmentBytes <= 0 || SegmentAge <= TimeSpan.Zero)
        {
            return "SegmentBytes and SegmentAge must be positive.";
        }

        if (RetentionTime is { } t && t <= TimeSpan.Zero || RetentionBytes is <= 0)
        {
            return "Retention limits must be positive when set.";
        }

        return null;
    }
}
