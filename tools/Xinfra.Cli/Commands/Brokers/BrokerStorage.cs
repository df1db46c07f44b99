using Xinfra.Northguard.Metadata.Placement;
using Wire = Xinfra.Northguard.Protocol;

namespace Xinfra.Cli.Commands.Brokers;

/// <summary>What one broker reports about its disk and throughput budget (<c>BrokerInfo.DescribeStorage</c>).</summary>
/// <param name="BrokerId">The broker.</param>
/// <param name="Host">Its host.</param>
/// <param name="Volume">The mount point of its data folder.</param>
/// <param name="DiskTotalBytes">Size of that volume.</param>
/// <param name="DiskFreeBytes">Free space on it.</param>
/// <param name="StoredBytes">Bytes under the data folder.</param>
/// <param name="ThroughputBudgetBytesPerSecond">The configured write budget.</param>
internal sealed record BrokerStorage(ulong BrokerId, string Host, string Volume, long DiskTotalBytes, long DiskFreeBytes, long StoredBytes, long ThroughputBudgetBytesPerSecond)
{
    /// <summary>Asks every live broker of <paramref name="brokers"/>; a broker that does not answer is left out and named in <paramref name="unreachable"/>.</summary>
    public static async Task<IReadOnlyList<BrokerStorage>> CollectAsync(IReadOnlyList<BrokerInfo> brokers, TimeSpan timeout, List<ulong> unreachable, CancellationToken cancellationToken,
        Xinfra.Northguard.Security.NorthguardClientSecurity? security = null)
    {
        using var channels = Xinfra.Northguard.Security.ChannelSecurity.ForClient(security);
        var result = new List<BrokerStorage>();
        foreach (var broker in brokers.Where(b => b.IsLive && b.Port != 0))
        {
            using var channel = channels.CreateChannel($"{broker.Host}:{broker.Port}");
            try
            {
                var r = await new Wire.BrokerInfo.BrokerInfoClient(channel)
                    .DescribeStorageAsync(new Wire.DescribeStorageRequest(), deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
                result.Add(new BrokerStorage(r.BrokerId, broker.Host, r.Volume, r.DiskTotalBytes, r.DiskFreeBytes, r.StoredBytes, r.ThroughputBudgetBytesPerSecond));
            }
            catch (Grpc.Core.RpcException)
            {
                unreachable.Add(broker.Id);
            }
        }

        return result;
    }
}
