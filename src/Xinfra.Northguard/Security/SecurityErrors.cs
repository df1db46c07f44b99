using Grpc.Core;

namespace Xinfra.Northguard.Security;

/// <summary>
/// Security refusals on the wire and back: <c>Unauthenticated</c> or <c>PermissionDenied</c> with trailers
/// <c>ng-error</c> (<c>unauthenticated</c>/<c>denied</c>), <c>ng-principal</c>, <c>ng-topic</c> and
/// <c>ng-operation</c>; clients turn them into <see cref="AuthorizationException"/>.
/// </summary>
internal static class SecurityErrors
{
    public const string PrincipalTrailer = "ng-principal";
    public const string TopicTrailer = "ng-topic";
    public const string OperationTrailer = "ng-operation";

    public static RpcException Unauthenticated(string message) =>
        new(new Status(StatusCode.Unauthenticated, message), new Grpc.Core.Metadata { { "ng-error", "unauthenticated" } });

    public static RpcException Forbidden(string principal, string topic, string operation, string message) =>
        new(new Status(StatusCode.PermissionDenied, message), new Grpc.Core.Metadata
        {
            { "ng-error", "denied" },
            { PrincipalTrailer, principal },
            { TopicTrailer, topic },
            { OperationTrailer, operation },
        });

    public static bool IsSecurity(RpcException e) => e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied;

    /// <summary>The typed error for a refusal; <paramref name="topic"/> is used when the broker named none.</summary>
    public static AuthorizationException ToException(RpcException e, string? topic, string? cluster = null)
    {
        string? trailerTopic = e.Trailers.GetValue(TopicTrailer);
        return new AuthorizationException(e.Status.Detail, e)
        {
            Topic = string.IsNullOrEmpty(trailerTopic) ? topic : trailerTopic,
            Cluster = cluster,
            Principal = e.Trailers.GetValue(PrincipalTrailer),
            Operation = e.Trailers.GetValue(OperationTrailer),
            IsAuthenticationFailure = e.StatusCode == StatusCode.Unauthenticated,
        };
    }
}
