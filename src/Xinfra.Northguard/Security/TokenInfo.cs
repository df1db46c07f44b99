namespace Xinfra.Northguard.Security;

/// <summary>An issued application token as listed: never its secret.</summary>
/// <param name="Id">The token id (public: the first part of the token, used to revoke it).</param>
/// <param name="Application">The application (the ACL principal) the token authenticates.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="RevokedAt">When it was revoked, or null while valid.</param>
/// <param name="ClusterAdmin">True when the token may also create topics and manage tokens.</param>
public sealed record TokenInfo(string Id, string Application, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool ClusterAdmin)
{
    /// <summary>True while not revoked.</summary>
    public bool IsActive => RevokedAt is null;
}

/// <summary>A newly issued token: <see cref="Token"/> is shown once and never stored in clear.</summary>
/// <param name="Info">The token as listed.</param>
/// <param name="Token">The secret to hand to the application. Not part of <see cref="ToString"/>.</param>
public sealed record IssuedToken(TokenInfo Info, string Token)
{
    /// <inheritdoc />
    public override string ToString() => $"IssuedToken {{ Info = {Info}, Token = *** }}";
}
