using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.Broker;

/// <summary>The <c>BrokerInfo</c> gRPC service: identity and health of this broker.</summary>
internal sealed class BrokerInfoService(BrokerContext context, IEnumerable<BrokerModuleName> modules) : BrokerInfo.BrokerInfoBase
{
    public override Task<DescribeBrokerResponse> Describe(DescribeBrokerRequest request, ServerCallContext callContext)
    {
        var response = new DescribeBrokerResponse { BrokerId = context.BrokerId, Endpoint = context.Endpoint ?? string.Empty };
        foreach (var (key, value) in context.Options.Attributes)
        {
            response.Attributes[key] = value;
        }

        response.Modules.AddRange(modules.Select(m => m.Name));
        return Task.FromResult(response);
    }

    public override Task<DescribeStorageResponse> DescribeStorage(DescribeStorageRequest request, ServerCallContext callContext) =>
        Task.Run(() => BrokerStorageReport.Measure(context.Options), callContext.CancellationToken);
}

/// <summary>The name of a module, registered so <c>Describe</c> can list them.</summary>
/// <param name="Name">The module name.</param>
public sealed record BrokerModuleName(string Name);
