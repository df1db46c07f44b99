namespace Xinfra.Northguard.Broker;

/// <summary>What every module of one broker shares: its options, clock, and (once listening) its endpoint.</summary>
public sealed class BrokerContext(NorthguardBrokerOptions options, TimeProvider timeProvider)
{
    /// <summary>The broker's options.</summary>
    public NorthguardBrokerOptions Options { get; } = options;

    /// <summary>The clock engine code must use.</summary>
    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>The broker id.</summary>
    public ulong BrokerId => Options.BrokerId;

    /// <summary>The <c>http://host:port</c> the broker listens on; set once started.</summary>
    public string? Endpoint { get; internal set; }
}
