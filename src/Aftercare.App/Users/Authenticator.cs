using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Aftercare.App.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Aftercare.App.Users;

/// <summary>
/// The authenticator-app second factor (RFC 6238: HMAC-SHA1, six digits, 30-second steps), with
/// the key kept by Identity in AspNetUserTokens (<c>ResetAuthenticatorKeyAsync</c>). Registered in
/// place of Identity's own provider under <c>TokenOptions.DefaultAuthenticatorProvider</c>, so
/// <c>VerifyTwoFactorTokenAsync</c> reaches it. Identity's provider reads the system clock, accepts
/// codes from 90 seconds either side and accepts the same code as often as it is typed; this one
/// reads the injected clock, accepts one step either side, and accepts each step once: the step of
/// the last accepted code is stored beside the key, and a code of that step or earlier is refused.
/// </summary>
public sealed class Authenticator(TimeProvider clock, AftercareDbContext db) : IUserTwoFactorTokenProvider<AftercareUser>
{
    public const string TokenProvider = "Aftercare";

    public const string LastStepToken = "LastTotpStep";

    public const string Issuer = "Aftercare";

    private const int StepSeconds = 30;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<AftercareUser> manager, AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));
    }

    /// <summary>Nothing is sent: the code comes from the person's app.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<AftercareUser> manager, AftercareUser user) => Task.FromResult("");

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<AftercareUser> manager, AftercareUser user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var code = new string([.. (token ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-')]);
        var key = FromBase32(await manager.GetAuthenticatorKeyAsync(user));
        if (key is null || code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var stored = await manager.GetAuthenticationTokenAsync(user, TokenProvider, LastStepToken);
        var last = long.TryParse(stored, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : -1;
        var now = StepAt(clock.GetUtcNow());
        for (var step = Math.Max(now - 1, last + 1); step <= now + 1; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CodeAt(key, step)), Encoding.ASCII.GetBytes(code)))
            {
                return await ClaimStep(user.Id, stored, step.ToString(CultureInfo.InvariantCulture));
            }
        }

        return false;
    }

    /// <summary>
    /// Moves the last accepted step on from what this request read, in one statement that does
    /// nothing if another request moved it first: of requests racing with one code exactly one
    /// wins, and the others are refused as a used code. Identity's own way (the whole account
    /// written back under its concurrency stamp) raised a concurrency exception, a 500, for the
    /// losers (issue 17.8).
    /// </summary>
    private async Task<bool> ClaimStep(string userId, string? stored, string step)
    {
        if (stored is null)
        {
            // The first code ever accepted: the row does not exist yet; a second insert finds it there.
            return await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO \"AspNetUserTokens\" (\"UserId\", \"LoginProvider\", \"Name\", \"Value\") VALUES ({userId}, {TokenProvider}, {LastStepToken}, {step}) ON CONFLICT DO NOTHING") == 1;
        }

        return await db.UserTokens
            .Where(t => t.UserId == userId && t.LoginProvider == TokenProvider && t.Name == LastStepToken && t.Value == stored)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Value, step)) == 1;
    }

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>The key as people type it into an app: lower case, in groups of four.</summary>
    public static string Grouped(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
    }

    /// <summary>The key-URI format authenticator apps read from a QR code or a link.</summary>
    public static string OtpAuthAddress(string email, string key) =>
        ($"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period={StepSeconds}");

    private static string CodeAt(byte[] key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[HMACSHA1.HashSizeInBytes];
        // RFC 6238 and every authenticator app use HMAC-SHA1; HMAC's strength does not rest on SHA-1's collision resistance.
#pragma warning disable CA5350
        HMACSHA1.HashData(key, counter, hash);
#pragma warning restore CA5350
        var offset = hash[^1] & 0xf;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[]? FromBase32(string? key)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        if (string.IsNullOrWhiteSpace(key))
        {
            return null;
        }

        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in key.ToUpperInvariant().TrimEnd('='))
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)((buffer >> bits) & 0xff));
            }
        }

        return [.. bytes];
    }
}
