using Google.Protobuf;
using Grpc.Core;
using Xinfra.Northguard.Protocol;

namespace Xinfra.Northguard.DataPath.Wire;

/// <summary>
/// Binds the generated <c>Northguard</c> service with <see cref="AppendParser"/> as the request deserializer of
/// <c>Produce</c> and <c>Replicate</c> (same method names and response marshallers; every other method as generated).
/// </summary>
internal sealed class PooledAppendBinder(ServiceBinderBase inner) : ServiceBinderBase
{
    private static readonly Marshaller<ProduceRequest> s_produce = Marshallers.Create<ProduceRequest>(Serialize, AppendParser.ParseProduce);
    private static readonly Marshaller<ReplicateRequest> s_replicate = Marshallers.Create<ReplicateRequest>(Serialize, AppendParser.ParseReplicate);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(method, handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(method, handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(method, handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(WithPooledRequests(method), handler);

    private static Method<TRequest, TResponse> WithPooledRequests<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        object? marshaller = typeof(TRequest) == typeof(ProduceRequest) ? s_produce
            : typeof(TRequest) == typeof(ReplicateRequest) ? s_replicate
            : null;
        return marshaller is Marshaller<TRequest> requests
            ? new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller)
            : method;
    }

    private static void Serialize<T>(T message, SerializationContext context)
        where T : IBufferMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
