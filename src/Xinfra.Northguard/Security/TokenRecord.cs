using System.Text.Json.Serialization;

namespace Xinfra.Northguard.Security;

/// <summary>A token as stored in the metadata store: a salted HMAC-SHA-256 of the secret, never the secret.</summary>
internal sealed record TokenRecord(string Id, string Application, byte[] Salt, byte[] Hash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool ClusterAdmin)
{
    public TokenInfo ToInfo() => new(Id, Application, CreatedAt, RevokedAt, ClusterAdmin);
}

/// <summary>The JSON of the token document.</summary>
[JsonSerializable(typeof(List<TokenRecord>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class SecurityJson : JsonSerializerContext;
