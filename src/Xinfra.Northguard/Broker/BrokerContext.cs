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

    /// <summary>The <c>http(s)://host:port</c> the broker listens on; set once started.</summary>
    public string? Endpoint { get; internal set; }

    /// <summary>The broker's security (TLS, tokens, ACLs), or null when <see cref="NorthguardBrokerOptions.Security"/> is null.</summary>
    public Security.BrokerSecurity? Security { get; internal set; }

    /// <summary>How this broker opens channels to other brokers (TLS and the cluster token when security is on).</summary>
    public Security.ChannelSecurity Channels => Security?.Channels ?? Northguard.Security.ChannelSecurity.Plaintext;
}
