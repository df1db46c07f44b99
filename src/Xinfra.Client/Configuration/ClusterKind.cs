namespace Xinfra;

/// <summary>The kind of physical cluster behind a logical topic.</summary>
public enum ClusterKind
{
    /// <summary>An in-process cluster held in memory, for tests and samples.</summary>
    InMemory = 0,

    /// <summary>An Apache Kafka cluster reached through Confluent.Kafka.</summary>
    Kafka = 1,

    /// <summary>A Northguard cluster reached over gRPC.</summary>
    Northguard = 2,
}
