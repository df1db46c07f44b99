using System.Buffers.Text;
using System.Security.Cryptography;

namespace Xinfra.Northguard.Security;

/// <summary>
/// Application tokens: <c>ngt.&lt;id&gt;.&lt;secret&gt;</c> with a 16-hex-digit id and a 32-byte random secret
/// (base64url). The store keeps HMAC-SHA-256(salt, secret) with a 16-byte random salt per token; checks compare in
/// constant time. Secrets come from the OS CSPRNG (not seeded randomness: they must be unpredictable).
/// </summary>
internal static class TokenFormat
{
    public const string Prefix = "ngt.";

    public static (string Id, string Token, byte[] Salt, byte[] Hash) Create()
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        return (id, Prefix + id + "." + Base64Url.EncodeToString(secret), salt, HMACSHA256.HashData(salt, secret));
    }

    /// <summary>Splits a token into its id and secret; false when it is not a well-formed token.</summary>
    public static bool TryParse(string token, out string id, out byte[] secret)
    {
        id = string.Empty;
        secret = [];
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        int dot = token.IndexOf('.', Prefix.Length);
        if (dot != Prefix.Length + 16)
        {
            return false;
        }

        try
        {
            secret = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        id = token[Prefix.Length..dot];
        return secret.Length == 32;
    }

    public static bool Matches(TokenRecord record, byte[] secret) =>
        CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(record.Salt, secret), record.Hash);
}
