using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Xinfra.Northguard.Protocol;
using ProtocolClient = Xinfra.Northguard.Protocol.Northguard.NorthguardClient;

namespace Xinfra.Northguard.Client;

/// <summary>Channels to brokers by endpoint, and route look-ups that try every known broker.</summary>
internal sealed class ClientConnections(NorthguardClientOptions options) : IDisposable
{
    private readonly Security.ChannelSecurity _security = Security.ChannelSecurity.ForClient(options.Security);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    public NorthguardClientOptions Options => options;

    public ProtocolClient For(string endpoint) => new(Channel(endpoint));

    public GrpcChannel Channel(string endpoint)
    {
        string address = _security.Address(endpoint);
        return _channels.GetOrAdd(address, a => _security.CreateChannel(a));
    }

    public async Task<RouteResponse> RouteAsync(string topic, CancellationToken cancellationToken)
    {
        RpcException? last = null;
        foreach (string endpoint in options.Endpoints.Concat(_known.Keys).Distinct(StringComparer.Ordinal).ToArray())
        {
            try
            {
                var route = await For(endpoint).GetRouteAsync(new RouteRequest { Topic = topic }, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var broker in route.Brokers)
                {
                    _known.TryAdd(broker.Endpoint, 0);
                }

                return route;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown)
            {
                last = e;
            }
        }

        throw last ?? new RpcException(new Status(StatusCode.Unavailable, "No broker endpoint is configured."));
    }

    public static string? EndpointOf(RouteResponse route, ulong brokerId, bool liveOnly = true)
    {
        foreach (var broker in route.Brokers)
        {
            if (broker.BrokerId == brokerId && (broker.Live || !liveOnly))
            {
                return broker.Endpoint;
            }
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _security.Dispose();
    }
}
