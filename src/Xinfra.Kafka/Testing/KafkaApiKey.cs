namespace Xinfra.Kafka.Testing;

/// <summary>Kafka protocol request types, for injecting errors into a <see cref="KafkaMockCluster"/>.</summary>
#pragma warning disable CA1028 // The wire type of an API key is a 16-bit integer.
public enum KafkaApiKey : short
#pragma warning restore CA1028
{
    /// <summary>Produce.</summary>
    Produce = 0,

    /// <summary>Fetch.</summary>
    Fetch = 1,

    /// <summary>ListOffsets.</summary>
    ListOffsets = 2,

    /// <summary>Metadata.</summary>
    Metadata = 3,

    /// <summary>OffsetCommit.</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetch.</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinator.</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroup.</summary>
    JoinGroup = 11,

    /// <summary>Heartbeat.</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroup.</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroup.</summary>
    SyncGroup = 14,

    /// <summary>CreateTopics.</summary>
    CreateTopics = 19,

    /// <summary>InitProducerId.</summary>
    InitProducerId = 22,
}
