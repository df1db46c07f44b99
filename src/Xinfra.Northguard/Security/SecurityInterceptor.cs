using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Xinfra.Northguard.Metadata.Model;

namespace Xinfra.Northguard.Security;

/// <summary>
/// Authenticates every call and checks it against <see cref="AccessRules"/>. A stream is checked on its first message
/// (the produce open or consume start naming the topic), which is then handed on to the service. Refusals are gRPC
/// statuses <c>Unauthenticated</c> / <c>PermissionDenied</c> with trailers naming the principal, topic and operation
/// (<see cref="SecurityErrors"/>), audited by <see cref="SecurityLog"/>; tokens never appear in them.
/// </summary>
internal sealed class SecurityInterceptor(SecurityGate gate, ILoggerFactory loggers) : Interceptor
{
    private readonly ILogger _logger = loggers.CreateLogger("Xinfra.Northguard.Security");

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context, request).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context, request).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            await AuthorizeAsync(context, null).ConfigureAwait(false);
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return;
        }

        var first = requestStream.Current;
        await AuthorizeAsync(context, first).ConfigureAwait(false);
        await continuation(new ReplayingReader<TRequest>(first, requestStream), responseStream, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthorizeAsync(context, null).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    private async Task AuthorizeAsync(ServerCallContext context, object? request)
    {
        try
        {
            await CheckAsync(context, request).ConfigureAwait(false);
        }
        catch (XinfraException e) when (e is not AuthorizationException)
        {
            // The token list or an ACL could not be read (metadata election, broker down): retryable, not a denial.
            throw new RpcException(new Status(StatusCode.Unavailable, $"The security check could not read the metadata store: {e.Message}"));
        }
    }

    private async Task CheckAsync(ServerCallContext context, object? request)
    {
        var http = context.GetHttpContext();
        string? authorization = context.RequestHeaders.GetValue(BearerTokenHandler.Header);
        var certificate = http.Connection.ClientCertificate;
        var (principal, failure) = await gate.AuthenticateAsync(authorization, certificate, context.CancellationToken).ConfigureAwait(false);
        var requirement = AccessRules.For(context.Method, request);
        string operation = requirement.Kind == AccessKind.Topic ? requirement.Operation.ToString() : requirement.Kind.ToString();
        if (principal is null)
        {
            SecurityLog.Unauthenticated(_logger, context.Method, context.Peer, failure!);
            SecurityLog.CountDenied("unauthenticated", operation);
            throw SecurityErrors.Unauthenticated($"Authentication failed: {failure}.");
        }

        var granted = requirement.Kind == AccessKind.Topic && principal.Kind != PrincipalKind.Cluster && !principal.ClusterAdmin
            ? await gate.AclAsync(requirement.Topic!, principal.Name, context.CancellationToken).ConfigureAwait(false)
            : AclOperations.None;
        if (AccessRules.Allows(principal, requirement, granted))
        {
            return;
        }

        string topic = requirement.Topic ?? string.Empty;
        string reason = requirement.Kind switch
        {
            AccessKind.Topic => $"'{principal.Name}' has {granted} on topic '{topic}', not {requirement.Operation}",
            AccessKind.Internal => "only brokers (the cluster token) may call it",
            _ => "it needs a cluster-admin token",
        };
        SecurityLog.Forbidden(_logger, principal.Name, operation, topic, context.Method, reason);
        SecurityLog.CountDenied("forbidden", operation);
        throw SecurityErrors.Forbidden(principal.Name, topic, operation,
            requirement.Kind == AccessKind.Topic
                ? $"Application '{principal.Name}' may not {operation} on topic '{topic}': it has no {operation} ACL (granted: {granted})."
                : $"Application '{principal.Name}' may not call {context.Method}: {reason}.");
    }

    private sealed class ReplayingReader<T>(T first, IAsyncStreamReader<T> rest) : IAsyncStreamReader<T>
    {
        private bool _firstPending = true;
        private bool _started;

        public T Current => _firstPending || !_started ? first : rest.Current;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!_started)
            {
                _started = true;
                return Task.FromResult(true);
            }

            _firstPending = false;
            return rest.MoveNext(cancellationToken);
        }
    }
}
