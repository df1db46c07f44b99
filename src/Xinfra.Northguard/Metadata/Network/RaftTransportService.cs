using Grpc.Core;
using Xinfra.Northguard.Metadata.Hosting;
using Wire = Xinfra.Northguard.Protocol.Raft;

namespace Xinfra.Northguard.Metadata.Network;

/// <summary>The receiving end of <see cref="GrpcRaftTransport"/>: queues each batch for the metadata loop.</summary>
internal sealed class RaftTransportService(MetadataHost host) : Wire.RaftTransport.RaftTransportBase
{
    private static readonly Task<Wire.RaftBatchAck> Ack = Task.FromResult(new Wire.RaftBatchAck());

    public override Task<Wire.RaftBatchAck> Send(Wire.RaftBatch request, ServerCallContext context)
    {
        host.Receive(request);
        return Ack;
    }
}
