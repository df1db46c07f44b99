using Grpc.Core;

namespace Xinfra.Northguard.Client;

/// <summary>Maps broker statuses to the <see cref="XinfraException"/> family.</summary>
internal static class ClientErrors
{
    public static bool IsTransient(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.DeadlineExceeded or StatusCode.Cancelled;

    public static bool IsRetired(RpcException e) =>
        e.StatusCode == StatusCode.FailedPrecondition && e.Status.Detail.Contains("retired", StringComparison.Ordinal);

    public static XinfraException ForProduce(string topic, Exception e) => e switch
    {
        RpcException r when Security.SecurityErrors.IsSecurity(r) => Security.SecurityErrors.ToException(r, topic),
        RpcException { StatusCode: StatusCode.NotFound } r => new UnknownTopicException(r.Status.Detail) { Topic = topic },
        RpcException r => new ProduceException($"Produce to '{topic}' failed: {r.Status.Detail}", r, IsTransient(r)) { Topic = topic },
        XinfraException x => x,
        _ => new ProduceException($"Produce to '{topic}' failed: {e.Message}", e) { Topic = topic },
    };

    public static XinfraException ForConsume(string topic, Exception e) => e switch
    {
        RpcException r when Security.SecurityErrors.IsSecurity(r) => Security.SecurityErrors.ToException(r, topic),
        RpcException { StatusCode: StatusCode.NotFound } r => new UnknownTopicException(r.Status.Detail) { Topic = topic },
        RpcException { StatusCode: StatusCode.OutOfRange } r => new ConsumeException($"Consume of '{topic}' failed: {r.Status.Detail}", r) { Topic = topic },
        RpcException r => new ConsumeException($"Consume of '{topic}' failed: {r.Status.Detail}", r) { Topic = topic },
        XinfraException x => x,
        _ => new ConsumeException($"Consume of '{topic}' failed: {e.Message}", e) { Topic = topic },
    };
}
