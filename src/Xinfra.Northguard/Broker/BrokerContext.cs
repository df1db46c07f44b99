using System.Diagnostics.Metrics;
using Xinfra.Northguard.Storage.Diagnostics;

namespace Xinfra.Northguard.Broker;

/// <summary>What every module of one broker shares: its options, clock, and (once listening) its endpoint.</summary>
public sealed class BrokerContext(NorthguardBrokerOptions options, TimeProvider timeProvider)
{
    private Meter? _meter;

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

    /// <summary>
    /// This broker's own <c>Xinfra.Northguard</c> meter (its <see cref="Meter.Scope"/> is this
    /// context), for instruments that observe one broker: several brokers may share a process, and the broker's metrics
    /// endpoint shows only its own scoped instruments. Disposed when the broker stops.
    /// </summary>
    internal Meter Meter
    {
        get
        {
            var meter = Volatile.Read(ref _meter);
            if (meter is null)
            {
                meter = new Meter(StorageMetrics.MeterName, null, null, this);
                if (Interlocked.CompareExchange(ref _meter, meter, null) is { } first)
                {
                    meter.Dispose();
                    meter = first;
                }
            }

            return meter;
        }
    }

    /// <summary>Disposes <see cref="Meter"/>, ending its instruments (once the modules stopped).</summary>
    internal void DisposeMeter() => Volatile.Read(ref _meter)?.Dispose();

    /// <summary>How this broker opens channels to other brokers (TLS and the cluster token when security is on).</summary>
    public Security.ChannelSecurity Channels => Security?.Channels ?? Northguard.Security.ChannelSecurity.Plaintext;
}
