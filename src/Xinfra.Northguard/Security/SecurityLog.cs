using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Xinfra.Northguard.Security;

/// <summary>
/// Audit of security decisions: structured log events (never a token) and the counter <c>xinfra.security.denied</c>
/// on the <c>Xinfra.Northguard</c> meter, tagged with <c>reason</c> (unauthenticated, forbidden) and <c>operation</c>.
/// </summary>
internal static partial class SecurityLog
{
    private static readonly Meter Meter = new("Xinfra.Northguard");
    private static readonly Counter<long> Denied = Meter.CreateCounter<long>("xinfra.security.denied", "{call}", "Calls refused by broker authentication or ACLs.");

    public static void CountDenied(string reason, string operation) =>
        Denied.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("operation", operation));

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Security: denied {Principal} {Operation} on topic {Topic} ({Method}): {Reason}")]
    public static partial void Forbidden(ILogger logger, string principal, string operation, string topic, string method, string reason);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Security: unauthenticated call to {Method} from {Peer}: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Security: issued token {TokenId} for application {Application} (cluster admin: {ClusterAdmin})")]
    public static partial void TokenIssued(ILogger logger, string tokenId, string application, bool clusterAdmin);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Security: revoked token {TokenId} of application {Application}")]
    public static partial void TokenRevoked(ILogger logger, string tokenId, string application);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information, Message = "Security: ACL of {Principal} on topic {Topic} set to {Operations}")]
    public static partial void AclSet(ILogger logger, string principal, string topic, string operations);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Information, Message = "Security: reloaded the certificate from {File}; thumbprint {Thumbprint}")]
    public static partial void CertificateReloaded(ILogger logger, string file, string thumbprint);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "Security: could not reload certificate files ({Error}); keeping the previous certificate")]
    public static partial void ReloadFailed(ILogger logger, string error);
}
