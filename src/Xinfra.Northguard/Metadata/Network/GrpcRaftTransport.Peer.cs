using Grpc.Net.Client;
using Wire = Xinfra.Northguard.Protocol.Raft;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>One peer: its queue and its persistent channel (recreated when its endpoint changes).</summary>
public sealed partial class GrpcRaftTransport
{
    private sealed class Peer(ulong id, Security.ChannelSecurity channels) : IDisposable
    {
        private readonly Lock _channelGate = new();
        private GrpcChannel? _channel;
        private string? _endpoint;
        private Wire.RaftTransport.RaftTransportClient? _client;

        public ulong Id { get; } = id;

        /// <summary>Guards <see cref="Queued"/>, <see cref="Gossip"/> and <see cref="Sending"/>.</summary>
        public Lock Gate { get; } = new();

        public List<Wire.GroupMessage> Queued { get; } = [];

        public Wire.Gossip? Gossip { get; set; }

        public bool Sending { get; set; }

        public Wire.RaftTransport.RaftTransportClient? Client(string? endpoint)
        {
            if (endpoint is null)
            {
                return null;
            }

            lock (_channelGate)
            {
                if (endpoint != _endpoint)
                {
                    _channel?.Dispose();
                    _channel = channels.CreateChannel(endpoint);
                    _client = new Wire.RaftTransport.RaftTransportClient(_channel);
                    _endpoint = endpoint;
                }

                return _client;
            }
        }

        public void Dispose()
        {
            lock (_channelGate)
            {
                _channel?.Dispose();
                _channel = null;
                _endpoint = null;
            }
        }
    }
}
