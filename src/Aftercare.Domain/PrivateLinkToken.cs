using System.Security.Cryptography;

namespace Aftercare.Domain;

/// <summary>
/// The token of a private link that works without signing in (the person's safety plan, the feedback
/// form, the stop link in a message): random, URL-safe, and kept only as its SHA-256 hash, by which the
/// link is found. The one place that makes, hashes and checks such a token.
/// </summary>
public readonly record struct PrivateLinkToken(string Token, string Hash)
{
    /// <summary>Longer than any token made here: a longer one is not looked up at all.</summary>
    public const int MaxLength = 100;

    /// <summary>A new token of <paramref name="bytes"/> random bytes, with its hash; the token is in hand only now.</summary>
    public static PrivateLinkToken New(int bytes = 32)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        return new PrivateLinkToken(token, HashOf(token));
    }

    /// <summary>SHA-256 of the token, upper-case hex (64 characters): what is stored and looked up.</summary>
    public static string HashOf(string? token) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token ?? "")));

    /// <summary>The hash to look a presented token up by, or null when it cannot be one of ours (empty or too long).</summary>
    public static string? LookupHash(string? token) =>
        string.IsNullOrWhiteSpace(token) || token.Length > MaxLength ? null : HashOf(token);

    /// <summary>Whether a stored hash is the hash of this token, compared in constant time.</summary>
    public static bool Matches(string storedHash, string? token) =>
        storedHash is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(storedHash), System.Text.Encoding.ASCII.GetBytes(HashOf(token)));
}
