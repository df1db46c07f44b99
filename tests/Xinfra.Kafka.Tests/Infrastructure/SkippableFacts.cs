namespace Xinfra.Kafka.Tests.Infrastructure;

/// <summary>A fact that needs the mock cluster's fault injection; skipped against a real cluster.</summary>
public sealed class MockOnlyFactAttribute : FactAttribute
{
    public MockOnlyFactAttribute()
    {
        if (KafkaClusterFixture.IsExternal)
        {
            Skip = $"injects faults through librdkafka's mock cluster; {KafkaClusterFixture.BootstrapVariable} points at a real cluster";
        }
    }
}

/// <summary>A fact that needs a real broker; skipped on librdkafka's mock cluster, which lacks the feature it tests.</summary>
public sealed class RealClusterFactAttribute : FactAttribute
{
    public RealClusterFactAttribute()
    {
        if (!KafkaClusterFixture.IsExternal)
        {
            Skip = $"librdkafka's mock cluster does not look offsets up by timestamp (ListOffsets answers -1); set {KafkaClusterFixture.BootstrapVariable} to run it against a real cluster";
        }
    }
}

/// <summary>A fact that needs the <c>kcat</c> command (Debian package <c>kcat</c>); skipped when it is not on PATH.</summary>
public sealed class KcatFactAttribute : FactAttribute
{
    public KcatFactAttribute()
    {
        if (Kcat.Path is null)
        {
            Skip = "kcat is not installed (apt-get install -y kcat); the cross-check with an independent client cannot run";
        }
    }
}

internal static class Kcat
{
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, "kcat");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
