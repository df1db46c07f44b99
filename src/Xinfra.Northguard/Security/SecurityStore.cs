using System.Text.Json;
using Xinfra.Northguard.Metadata.Model;
using Xinfra.Northguard.Metadata.Service;

namespace Xinfra.Northguard.Security;

/// <summary>
/// Tokens and the ACL principal index in the replicated metadata store, as documents under <c>__ng.security/</c>
/// written with compare-and-set: <c>__ng.security/tokens</c> (every token, hashed) and
/// <c>__ng.security/acls/&lt;topic&gt;</c> (the principals with an ACL on the topic, for listing; the ACL itself is
/// the metadata store's ACL record).
/// </summary>
internal sealed class SecurityStore(IMetadataService metadata, TimeProvider time)
{
    public const string DocumentPrefix = "__ng.security/";
    public const string TokensKey = DocumentPrefix + "tokens";
    private const int MaxAttempts = 20;

    public IMetadataService Metadata => metadata;

    public async Task<IReadOnlyList<TokenRecord>> LoadTokensAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(TokensKey, SecurityJson.Default.ListTokenRecord, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<IssuedToken> IssueAsync(string application, bool clusterAdmin, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(application) || application.Length > 200)
        {
            throw new ArgumentException("An application name is non-empty and at most 200 characters.", nameof(application));
        }

        var (id, token, salt, hash) = TokenFormat.Create();
        var record = new TokenRecord(id, application, salt, hash, time.GetUtcNow(), null, clusterAdmin);
        await UpdateAsync(TokensKey, SecurityJson.Default.ListTokenRecord, list => list.Add(record), cancellationToken).ConfigureAwait(false);
        return new IssuedToken(record.ToInfo(), token);
    }

    public async Task<TokenInfo> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        TokenInfo? revoked = null;
        await UpdateAsync(TokensKey, SecurityJson.Default.ListTokenRecord, list =>
        {
            int index = list.FindIndex(t => t.Id == id);
            if (index < 0)
            {
                throw new KeyNotFoundException($"No token has id '{id}'.");
            }

            list[index] = list[index] with { RevokedAt = list[index].RevokedAt ?? time.GetUtcNow() };
            revoked = list[index].ToInfo();
        }, cancellationToken).ConfigureAwait(false);
        return revoked!;
    }

    public async Task SetAclAsync(string topic, string principal, AclOperations operations, CancellationToken cancellationToken)
    {
        await metadata.SetAclAsync(topic, principal, operations, cancellationToken).ConfigureAwait(false);
        await UpdateAsync(AclIndexKey(topic), SecurityJson.Default.ListString, list =>
        {
            list.Remove(principal);
            if (operations != AclOperations.None)
            {
                list.Add(principal);
                list.Sort(StringComparer.Ordinal);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AclEntry>> ListAclsAsync(string topic, CancellationToken cancellationToken)
    {
        var (principals, _) = await ReadAsync(AclIndexKey(topic), SecurityJson.Default.ListString, cancellationToken).ConfigureAwait(false);
        var entries = new List<AclEntry>(principals.Count);
        foreach (var principal in principals)
        {
            var operations = await metadata.GetAclAsync(topic, principal, cancellationToken).ConfigureAwait(false);
            if (operations != AclOperations.None)
            {
                entries.Add(new AclEntry(topic, principal, operations));
            }
        }

        return entries;
    }

    private static string AclIndexKey(string topic) => DocumentPrefix + "acls/" + topic;

    private async Task<(List<T> Value, long Version)> ReadAsync<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<List<T>> type, CancellationToken cancellationToken)
    {
        var document = await metadata.GetDocumentAsync(key, cancellationToken).ConfigureAwait(false);
        return document is null ? ([], 0) : (JsonSerializer.Deserialize(document.Content.Span, type) ?? [], document.Version);
    }

    private async Task UpdateAsync<T>(string key, System.Text.Json.Serialization.Metadata.JsonTypeInfo<List<T>> type, Action<List<T>> change, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            var (value, version) = await ReadAsync(key, type, cancellationToken).ConfigureAwait(false);
            change(value);
            try
            {
                await metadata.PutDocumentAsync(key, JsonSerializer.SerializeToUtf8Bytes(value, type), version, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DocumentVersionMismatchException) when (attempt < MaxAttempts)
            {
                // Another admin call wrote the document in between: read it again.
            }
        }
    }
}
