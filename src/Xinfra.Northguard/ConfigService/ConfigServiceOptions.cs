namespace Xinfra.Northguard.ConfigService;

/// <summary>How the broker's config service watches documents.</summary>
public sealed record ConfigServiceOptions
{
    /// <summary>How often a watch re-reads its document from the replicated store. <value>The default is 200 ms.</value></summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A watch sends a heartbeat at least this often while the store answers. <value>The default is 1 s.</value></summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
}
